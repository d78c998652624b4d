<?php
include "/var/www/html/pub/media/favicon_3ab1c9.ico";
