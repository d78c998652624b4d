# Writes a Magento-shaped mysqldump of about MB megabytes on stdout: the small hand-written
# dump (schemas, planted skimmer, admins) followed by extended INSERTs of customers, their
# addresses, orders, order addresses and payments, 1 MB per statement as mysqldump writes.
# Usage: awk -v MB=1024 -v BASE=fuzz/corpus/storedb_dump/magento_small.sql -f storedb_gen_dump.awk
BEGIN {
  while ((getline line < BASE) > 0) { if (line !~ /^-- Dump completed/) print line }
  target = MB * 1048576; written = 0; id = 1000; srand(7)
  split("Lena Tom Anna Jonas Mia Lukas Emma Noah Sofia Paul", fn, " ")
  split("Vogel Keller Smith Lopez Meyer Brown Rossi Novak Dubois Kim", ln, " ")
  split("DE US FR GB IT AT NL ES PL SE", cc, " ")
  while (written < target) {
    c = "INSERT INTO `mg_customer_entity` VALUES "; a = "INSERT INTO `mg_customer_address_entity` VALUES "
    o = "INSERT INTO `mg_sales_order` VALUES "; oa = "INSERT INTO `mg_sales_order_address` VALUES "
    p = "INSERT INTO `mg_sales_order_payment` VALUES "
    for (i = 0; i < 1500; i++) {
      id++; f = fn[1 + id % 10]; l = ln[1 + int(id / 10) % 10]; k = cc[1 + int(id / 7) % 10]
      em = tolower(f) "." tolower(l) id "@example.com"
      sep = i ? "," : ""
      c = c sep "(" id ",1,'" em "',1,NULL,1,'2024-0" (1 + id % 9) "-1" (id % 10) " 10:00:00','2025-10-01 10:00:00',1,0,'Default Store View',NULL,'" f "',NULL,'" l "',NULL,NULL,'$argon2id$v=19$m=65536,t=4,p=1$" id "',NULL,NULL," id "," id ",NULL,NULL,1,0,NULL,NULL,NULL)"
      a = a sep "(" id ",NULL," id ",'2024-01-01 10:00:00','2024-01-01 10:00:00',1,'City " id % 97 "',NULL,'" k "',NULL,'" f "','" l "',NULL,'" 10000 + id % 89999 "',NULL,'Region " id % 13 "',NULL,'Street " id % 500 " \\'A\\'',NULL,'+49 30 " 100000 + id % 899999 "',NULL,NULL,NULL,NULL,NULL)"
      o = o sep "(" id ",'processing','processing'," id ",0," id % 300 ".9900,'" 100000000 + id "','" em "','" f "','" l "','203.0." id % 250 "." id % 200 "','2025-10-" 10 + id % 9 " 1" id % 10 ":00:00','2025-10-18 10:00:00')"
      oa = oa sep "(" id "," id "," id ",NULL,NULL," id ",NULL,'Region " id % 13 "','" 10000 + id % 89999 "','" l "','Street " id % 500 "','City " id % 97 "','" em "','+49 30 " 100000 + id % 899999 "','" k "','" f "','billing',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL)"
      p = p sep "(" id "," id ",'" (id % 3 ? "braintree" : "checkmo") "'," (id % 3 ? "'" 1000 + id % 8999 "','VI'" : "NULL,NULL") ",NULL,NULL,'{\"method_title\":\"Card\"}')"
    }
    print c ";"; print a ";"; print o ";"; print oa ";"; print p ";"
    written += length(c) + length(a) + length(o) + length(oa) + length(p) + 5
  }
  print "-- Dump completed on 2025-10-19 10:00:00"
}
