rule loops {
  strings:
    $x = "a"
  condition:
    for any i in (1..#x) : ( @x[i] < 100 ) and #x > 2 and uint16(0) == 0x3f3c
}
rule with_externals { condition: filepath contains "media" and filetype == "php" and owner != "root" }
