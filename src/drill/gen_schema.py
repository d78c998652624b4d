#!/usr/bin/env python3
"""Turns the platforms' real table definitions into schema_data.inc for the drill's dump.

Reads Magento 2 declarative schemas (app/code/Magento/*/etc/db_schema.xml) and the WordPress /
WooCommerce CREATE TABLE text (wp-admin/includes/schema.php, class-wc-install.php) and writes,
per table, the CREATE TABLE statement as MariaDB's SHOW CREATE TABLE prints it (what mysqldump
writes) plus each column's name, whether it is numeric, and the literal a row gets when the
drill does not set that column. Foreign keys are left out (the dump loads with
FOREIGN_KEY_CHECKS=0 anyway; leaving them out keeps partial table sets loadable).

Regenerate (from the repository root):
  python3 src/drill/gen_schema.py ../shared/corpus/schemas > src/drill/schema_data.inc
"""
import re
import sys
import xml.etree.ElementTree as ET

XSI = '{http://www.w3.org/2001/XMLSchema-instance}type'

MAGENTO_TABLES = [
    ('Store', ['store_website', 'store_group', 'store']),
    ('Customer', ['customer_entity', 'customer_address_entity', 'customer_group']),
    ('Sales', ['sales_order', 'sales_order_address', 'sales_order_item', 'sales_order_payment',
               'sales_order_grid', 'sales_order_status_history']),
    ('Quote', ['quote_id_mask']),
    ('Config', ['core_config_data']),
    ('Cms', ['cms_block', 'cms_block_store', 'cms_page', 'cms_page_store']),
    ('User', ['admin_user', 'admin_passwords']),
    ('Integration', ['oauth_consumer', 'oauth_token', 'integration']),
    ('Vault', ['vault_payment_token']),
]

WP_TABLES = ['wp_options', 'wp_users', 'wp_usermeta', 'wp_posts', 'wp_postmeta', 'wp_comments',
             'wp_terms', 'wp_term_taxonomy', 'wp_term_relationships']
WC_TABLES = ['wp_woocommerce_sessions', 'wp_woocommerce_api_keys', 'wp_woocommerce_order_items',
             'wp_woocommerce_order_itemmeta', 'wp_woocommerce_payment_tokens',
             'wp_wc_customer_lookup', 'wp_wc_order_stats']

# WooCommerce 8.9 HPOS tables: OrdersTableDataStore::get_database_schema() (not part of
# class-wc-install.php, so transcribed from woocommerce/src/Internal/DataStores/Orders/
# OrdersTableDataStore.php).
HPOS_SQL = """
CREATE TABLE {$wpdb->prefix}wc_orders (
id bigint(20) unsigned,
status varchar(20) null,
currency varchar(10) null,
type varchar(20) null,
tax_amount decimal(26,8) null,
total_amount decimal(26,8) null,
customer_id bigint(20) unsigned null,
billing_email varchar(320) null,
date_created_gmt datetime null,
date_updated_gmt datetime null,
parent_order_id bigint(20) unsigned null,
payment_method varchar(100) null,
payment_method_title text null,
transaction_id varchar(100) null,
ip_address varchar(100) null,
user_agent text null,
customer_note text null,
PRIMARY KEY (id),
KEY status (status),
KEY date_created (date_created_gmt),
KEY customer_id_billing_email (customer_id, billing_email(171)),
KEY billing_email (billing_email(191)),
KEY type_status_date (type, status, date_created_gmt),
KEY parent_order_id (parent_order_id),
KEY date_updated (date_updated_gmt)
) $collate;
CREATE TABLE {$wpdb->prefix}wc_order_addresses (
id bigint(20) unsigned auto_increment primary key,
order_id bigint(20) unsigned NOT NULL,
address_type varchar(20) null,
first_name text null,
last_name text null,
company text null,
address_1 text null,
address_2 text null,
city text null,
state text null,
postcode text null,
country text null,
email varchar(320) null,
phone varchar(100) null,
KEY order_id (order_id),
UNIQUE KEY address_type_order_id (address_type, order_id),
KEY email (email(191)),
KEY phone (phone)
) $collate;
CREATE TABLE {$wpdb->prefix}wc_order_operational_data (
id bigint(20) unsigned auto_increment primary key,
order_id bigint(20) unsigned NULL,
created_via varchar(100) NULL,
woocommerce_version varchar(20) NULL,
prices_include_tax tinyint(1) NULL,
coupon_usages_are_counted tinyint(1) NULL,
download_permission_granted tinyint(1) NULL,
cart_hash varchar(100) NULL,
new_order_email_sent tinyint(1) NULL,
order_key varchar(100) NULL,
order_stock_reduced tinyint(1) NULL,
date_paid_gmt datetime NULL,
date_completed_gmt datetime NULL,
shipping_tax_amount decimal(26,8) NULL,
shipping_total_amount decimal(26,8) NULL,
discount_tax_amount decimal(26,8) NULL,
discount_total_amount decimal(26,8) NULL,
recorded_sales tinyint(1) NULL,
UNIQUE KEY order_id (order_id),
KEY order_key (order_key)
) $collate;
CREATE TABLE {$wpdb->prefix}wc_orders_meta (
id bigint(20) unsigned auto_increment primary key,
order_id bigint(20) unsigned null,
meta_key varchar(255),
meta_value text null,
KEY meta_key_value (meta_key(100), meta_value(82)),
KEY order_id_meta_key_meta_value (order_id, meta_key(100), meta_value(82))
) $collate;
"""
HPOS_TABLES = ['wp_wc_orders', 'wp_wc_order_addresses', 'wp_wc_order_operational_data',
               'wp_wc_orders_meta']

NUMERIC = ('int', 'smallint', 'bigint', 'tinyint', 'mediumint', 'decimal', 'float', 'double',
           'boolean')


def sql_str(s):
    return "'" + s.replace('\\', '\\\\').replace("'", "''") + "'"


def c_str(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n') + '"'


def magento_table(path, name):
    root = ET.parse(path).getroot()
    t = next(t for t in root.findall('table') if t.get('name') == name)
    lines, cols = [], []
    auto_inc = False
    for c in t.findall('column'):
        typ = c.get(XSI)
        cname = c.get('name')
        unsigned = c.get('unsigned') == 'true'
        nullable = c.get('nullable', 'true') != 'false'
        default = c.get('default')
        identity = c.get('identity') == 'true'
        if typ in ('int', 'smallint', 'bigint', 'tinyint', 'mediumint'):
            width = {'int': (11, 10), 'smallint': (6, 5), 'bigint': (20, 20), 'tinyint': (4, 3),
                     'mediumint': (9, 8)}[typ]
            padding = c.get('padding')
            w = int(padding) if padding else width[1 if unsigned else 0]
            sqlt = '%s(%d)%s' % (typ, w, ' unsigned' if unsigned else '')
        elif typ == 'boolean':
            sqlt = 'tinyint(1)'
        elif typ in ('varchar', 'varbinary'):
            sqlt = '%s(%s)' % (typ, c.get('length', '255'))
        elif typ == 'decimal':
            sqlt = 'decimal(%s,%s)' % (c.get('precision', '10'), c.get('scale', '0'))
        elif typ in ('float', 'double'):
            sqlt = typ
        else:
            sqlt = typ  # text, mediumtext, longtext, blob, date, datetime, timestamp
        parts = ['`%s`' % cname, sqlt]
        if not nullable:
            parts.append('NOT NULL')
        elif typ == 'timestamp':
            parts.append('NULL')
        if identity:
            parts.append('AUTO_INCREMENT')
            auto_inc = True
        if default is not None:
            if default.upper() == 'CURRENT_TIMESTAMP':
                parts.append('DEFAULT current_timestamp()')
            elif typ in ('timestamp', 'datetime') and default == '0':
                parts.append("DEFAULT '0000-00-00 00:00:00'")
            elif typ in NUMERIC:
                parts.append('DEFAULT %s' % (('1' if default == 'true' else '0')
                                             if default in ('true', 'false') else default))
            else:
                parts.append('DEFAULT %s' % sql_str(default))
        elif nullable and not identity:
            parts.append('DEFAULT NULL')
        if c.get('on_update') == 'true':
            parts.append('ON UPDATE current_timestamp()')
        if c.get('comment'):
            parts.append('COMMENT %s' % sql_str(c.get('comment')))
        lines.append('  ' + ' '.join(parts))
        # The literal used when the drill leaves the column unset.
        if default is not None and default.upper() != 'CURRENT_TIMESTAMP' and not identity:
            if typ in NUMERIC:
                lit = ('1' if default == 'true' else '0') if default in ('true', 'false') else default
            elif typ in ('timestamp', 'datetime') and default == '0':
                lit = "'0000-00-00 00:00:00'"
            else:
                lit = sql_str(default)
        elif nullable:
            lit = 'NULL'
        elif typ in NUMERIC:
            lit = '0'
        elif typ in ('timestamp', 'datetime'):
            lit = '@NOW'  # the drill's "now" (dump time) fills it
        elif typ == 'date':
            lit = "'1970-01-01'"
        else:
            lit = "''"
        cols.append((cname, typ in NUMERIC, lit))
    keys = []
    for k in t.findall('constraint'):
        kt = k.get(XSI)
        kc = ','.join('`%s`' % x.get('name') for x in k.findall('column'))
        if kt == 'primary':
            keys.insert(0, '  PRIMARY KEY (%s)' % kc)
        elif kt == 'unique':
            keys.append('  UNIQUE KEY `%s` (%s)' % (k.get('referenceId'), kc))
    for k in t.findall('index'):
        kc = ','.join('`%s`' % x.get('name') for x in k.findall('column'))
        kind = 'FULLTEXT KEY' if k.get('indexType') == 'fulltext' else 'KEY'
        keys.append('  %s `%s` (%s)' % (kind, k.get('referenceId'), kc))
    body = ',\n'.join(lines + keys)
    tail = ') ENGINE=InnoDB%s DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci COMMENT=%s' % (
        '@AUTO' if auto_inc else '', sql_str(t.get('comment', '')))
    return 'CREATE TABLE `%s` (\n%s\n%s' % (name, body, tail), cols


def wp_tables(text):
    text = text.replace('{$wpdb->prefix}', 'wp_').replace('$wpdb->', 'wp_')
    text = text.replace('$max_index_length', '191')
    out = {}
    for m in re.finditer(r'CREATE TABLE (\w+) \((.*?)\n\) \$(?:charset_)?collate', text, re.S):
        name, body = m.group(1), m.group(2)
        lines, keys, cols = [], [], []
        auto_inc = False
        for raw in body.split('\n'):
            line = raw.strip().rstrip(',')
            if not line:
                continue
            up = line.upper()
            km = re.match(r'(PRIMARY KEY|UNIQUE KEY|KEY|FULLTEXT KEY)\s+(\w+)?\s*\((.*)\)$', line,
                          re.I)
            if km:
                kind, kname, kcols = km.group(1).upper(), km.group(2), km.group(3)
                parts = []
                for kc in kcols.split(','):
                    kc = kc.strip()
                    mm = re.match(r'`?(\w+)`?(\(\d+\))?', kc)
                    parts.append('`%s`%s' % (mm.group(1), mm.group(2) or ''))
                if kind == 'PRIMARY KEY':
                    keys.insert(0, '  PRIMARY KEY (%s)' % ','.join(parts))
                else:
                    keys.append('  %s `%s` (%s)' % (kind, kname, ','.join(parts)))
                continue
            tm = re.match(r'`?(\w+)`?\s+(\w+(?:\(\d+(?:,\d+)?\))?)(.*)$', line)
            if not tm:
                lines.append("??" + line)
                continue
            cname, sqlt, rest = tm.group(1), tm.group(2).lower(), tm.group(3)
            restu = rest.upper()
            base = re.match(r'\w+', sqlt).group(0)
            unsigned = 'UNSIGNED' in restu
            notnull = 'NOT NULL' in restu
            identity = 'AUTO_INCREMENT' in restu
            primary = 'PRIMARY KEY' in restu
            if primary:
                notnull = True
                keys.insert(0, '  PRIMARY KEY (`%s`)' % cname)
            if tm.group(1) == 'id' and 'PRIMARY KEY (id)' in body:
                notnull = True
            dm = re.search(r"default\s+('[^']*'|\S+)", rest, re.I)
            default = dm.group(1) if dm else None
            if default and default.lower() == 'null':
                default = None
            parts = ['`%s`' % cname, sqlt + (' unsigned' if unsigned else '')]
            if notnull:
                parts.append('NOT NULL')
            if identity:
                parts.append('AUTO_INCREMENT')
                auto_inc = True
            numeric = base in NUMERIC
            if default is not None:
                dv = default.strip("'")
                parts.append('DEFAULT %s' % (dv if numeric else sql_str(dv)))
                lit = dv if numeric else sql_str(dv)
            else:
                if not notnull:
                    parts.append('DEFAULT NULL')
                    lit = 'NULL'
                elif numeric:
                    lit = '0'
                elif base == 'datetime':
                    lit = "'0000-00-00 00:00:00'"
                else:
                    lit = "''"
            lines.append('  ' + ' '.join(parts))
            cols.append((cname, numeric, lit))
        body = ',\n'.join(lines + keys)
        tail = (') ENGINE=InnoDB%s DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci' %
                ('@AUTO' if auto_inc else ''))
        if name in out:
            continue  # the first definition (single site) wins
        out[name] = ('CREATE TABLE `%s` (\n%s\n%s' % (name, body, tail), cols)
    return out


def emit(platform, name, create, cols):
    print('{%s, %s, %s, {' % (c_str(platform), c_str(name), c_str(create)))
    for cname, numeric, lit in cols:
        print('  {%s, %s, %s},' % (c_str(cname), 'true' if numeric else 'false', c_str(lit)))
    print('}},')


def main():
    base = sys.argv[1]
    print('// Generated by src/drill/gen_schema.py from the platforms\' real schema files;')
    print('// do not edit. See the script for how to regenerate.')
    for module, tables in MAGENTO_TABLES:
        for t in tables:
            create, cols = magento_table('%s/magento/%s-db_schema.xml' % (base, module), t)
            emit('magento', t, create, cols)
    wp = wp_tables(open('%s/woocommerce/wordpress-schema.php' % base).read())
    wc = wp_tables(open('%s/woocommerce/class-wc-install.php' % base).read())
    hpos = wp_tables(HPOS_SQL)
    for t in WP_TABLES:
        emit('woocommerce', t, *wp[t])
    for t in WC_TABLES:
        emit('woocommerce', t, *wc[t])
    for t in HPOS_TABLES:
        emit('woocommerce', t, *hpos[t])


if __name__ == '__main__':
    main()
