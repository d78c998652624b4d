#!/usr/bin/perl
# Written for this test: a report script that pipes its rows through a fixed sort program.
use strict;
use CGI;
use IPC::Open3;
my $cgi = CGI->new;
my $order = $cgi->param('order') eq 'desc' ? '-r' : '';
my $pid = open3(\*IN, \*OUT, \*ERR, "/usr/bin/sort", $order || '-n');
print IN "$_\n" for (3, 1, 2);
close IN;
print "Content-Type: text/plain\n\n", <OUT>;
