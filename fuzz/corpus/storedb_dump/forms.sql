CREATE TABLE t (`a` int, `b` blob, PRIMARY KEY (`a`));
INSERT INTO t VALUES (1,_binary 'x\0'),(2,0x00FF),(3,X'41'),(4,b'1');
INSERT INTO t (a) VALUES (5),(6,7);
