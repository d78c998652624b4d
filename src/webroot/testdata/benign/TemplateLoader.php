<?php
namespace Vendor\Templating;
class Environment
{
    public function loadTemplate(string $cls, string $content): void
    {
        if (!class_exists($cls, false)) {
            eval('?>' . $content);
        }
    }
    public function request(): array { return ['q' => $_GET['q'] ?? '', 'page' => (int) ($_GET['page'] ?? 1)]; }
}
