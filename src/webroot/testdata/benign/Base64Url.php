<?php
declare(strict_types=1);
namespace Vendor\Jwt\Util;

/** Encodes and decodes URL-safe base64 as JSON Web Tokens use it (RFC 7515). */
final class Base64Url
{
    public static function decode(string $data): string
    {
        $decoded = base64_decode(strtr($data, '-_', '+/'), true);
        if ($decoded === false) {
            throw new \InvalidArgumentException('Invalid base64url string');
        }
        return $decoded;
    }
    public static function encode(string $data): string
    {
        return rtrim(strtr(base64_encode($data), '+/', '-_'), '=');
    }
}
