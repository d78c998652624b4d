INSERT INTO t VALUES (1,'ÿþÀ'),(2,'ok');
