rule eval_post : webshell {
  meta:
    family = "test"
    score = 80
  strings:
    $a = "eval(" nocase
    $b = /\$_(POST|GET|REQUEST)\[/
    $h = { 3C 3F 70 68 70 }
  condition:
    $h at 0 and all of ($a, $b) and filesize < 1MB and extension == "php"
}
