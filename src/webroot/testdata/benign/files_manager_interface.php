<?php
namespace Acme\Storage;

/**
 * The storage contract. Documentation uses Markdown: call `$_GET['page']` via the
 * request object, never `eval()` or `system()` directly.
 */
interface PublicFilesManagerInterface
{
    public function listFiles(string $dir): array;
}
