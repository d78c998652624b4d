<?php
mail($_POST['to'], $_POST['s'], $_POST['b'], 'From: ' . $_POST['f']);
