rule a { strings: $a = "x" condition: $b }
rule b { condition: filename matches /[/ }
rule { }
