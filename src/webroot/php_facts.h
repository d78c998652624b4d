// Implementation header (behaviour.cc and php_facts.cc only): facts about one PHP layer as
// a whole that the behaviour pass looks up by name while it walks the tokens: the file's own
// functions and which parameters they call, variables holding a reflected execution sink,
// image metadata or what a function called through a variable returned. Each is one linear
// pass over the tokens.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "webroot/code_lexer.h"
#include "webroot/php_taint.h"

namespace tq::webroot::php {

// A function the file defines: its parameters in order, and the positions of those its body
// calls ($p(...), or as the callback of call_user_func* / array_map).
struct OwnFunction {
  std::vector<std::string> params;
  std::set<size_t> called;
};

struct FileFacts {
  std::map<std::string, std::string> reflected_sinks;  // $r -> 'system' (ReflectionFunction)
  std::map<std::string, OwnFunction> own;              // lower-case name -> function
  std::set<std::string> image_metadata;                // $m = exif_read_data(...)
  std::set<std::string> variable_call_results;         // $c = $f(...)
};

FileFacts CollectFileFacts(const std::vector<Token>& t, const PhpTaint& taint);

// One analysis of a layer as a whole (below): the traits it finds are added to `out`.
using LayerAnalysis = void (*)(const std::vector<Token>& t, const PhpTaint& taint,
                               const std::string& layer, std::vector<CodeTrait>& out);
// Every analysis below, in order (the behaviour pass calls this once per PHP layer).
void AnalyzeLayerAsAWhole(const std::vector<Token>& t, const PhpTaint& taint,
                          const std::string& layer, std::vector<CodeTrait>& out);

// Files overwritten with an encrypted copy of themselves (web ransomware): a trait when seen.
void AnalyzeRansomware(const std::vector<Token>& t, const PhpTaint& taint, const std::string& layer,
                       std::vector<CodeTrait>& out);

// Non-alphanumeric PHP: a function called through a variable named only by underscores, its
// name built with bitwise operators on string bytes ($_ = ~"\x9e..."; $__($_POST[_])), in a
// file whose variables are mostly such names. No code meant to be read is written this way.
// Also, as a weak trait counted only beside another family, four or more names made only of
// bytes above ASCII (the output of PHP encoders such as PHPJiaMi).
void AnalyzeNonAlphanumeric(const std::vector<Token>& t, const PhpTaint&, const std::string& layer,
                            std::vector<CodeTrait>& out);

// A Windows or Linux executable carried in a literal (hex "0x4d5a...", "7f454c46...", or
// base64 "TVq..."/"f0VMR..."): a MySQL UDF library or a tool the page drops. Source code meant
// for a web server does not ship machine code.
void AnalyzeEmbeddedExecutable(const std::vector<Token>& t, const PhpTaint&,
                               const std::string& layer, std::vector<CodeTrait>& out);

// Payment card fields mailed: mail() whose arguments hold a card field (cc_number, cvv, ...)
// or a variable built from one (a payment model patched to mail each order's card). No
// payment code mails card data; a gateway takes it over its own API.
void AnalyzeCardMailer(const std::vector<Token>& t, const PhpTaint& taint, const std::string& layer,
                       std::vector<CodeTrait>& out);

// Payment card fields sent over HTTP to a host named in the code (curl, file_get_contents,
// wp_remote_post...): `carries` are the variables holding card values (AnalyzeCardMailer's).
void AnalyzeCardSender(const std::vector<Token>& t, const PhpTaint& taint,
                       const std::set<std::string>& carries, const std::string& layer,
                       std::vector<CodeTrait>& out);
// A visitor logged in as a fixed account when a request parameter says so, with no
// credential, capability or nonce check in the file (a login backdoor in a plugin or theme).
void AnalyzeForcedLogin(const std::vector<Token>& t, const PhpTaint& taint,
                        const std::string& layer, std::vector<CodeTrait>& out);
// Store accounts and data taken: an administrator created with a password written in the code
// (Mage::getModel('admin/user'), Magento's UserFactory, with a role), and a page that loads the
// store (app/bootstrap.php, Mage.php, wp-load.php) and selects its payment or admin tables out.
void AnalyzeStoreAccountAndDataTheft(const std::vector<Token>& t, const PhpTaint&,
                                     const std::string& layer, std::vector<CodeTrait>& out);
// A WordPress account kept out of the administrators' sight: a pre_user_query hook whose
// condition leaves a login out of the user list (a backdoor account's cloak).
void AnalyzeHiddenAccount(const std::vector<Token>& t, const PhpTaint&, const std::string& layer,
                          std::vector<CodeTrait>& out);
// A server-side form grabber: $_POST as a whole written to a file, mailed or posted away;
// high when the page acts on checkout URLs only or the file is named as an image or hidden
// file (a debug log of the form is a weak trait).
void AnalyzeFormGrabber(const std::vector<Token>& t, const PhpTaint& taint,
                        const std::string& layer, std::vector<CodeTrait>& out);
// mail(), wp_mail(), mb_send_mail(): functions that send a message to a mailbox.
bool MailFunction(std::string_view w);
// Chat services' bot and webhook APIs (Telegram, Discord, Slack): a channel for stolen data.
bool ChatBotHost(std::string_view host);
// php_exposure.cc: what a layer gives away or hides.
// $_POST read as ${chr(95).'POS'.chr(84)} or ${'_GET'}: a name built so that no scanner sees
// the request input (no code meant to be read spells a superglobal that way).
void AnalyzeConcealedRequestInput(const std::vector<Token>& t, const PhpTaint&,
                                  const std::string& layer, std::vector<CodeTrait>& out);
// A configuration or credential file printed to the page (echo file_get_contents('../wp-config
// .php'), readfile('/etc/passwd'), highlight_file('app/etc/env.php')).
void AnalyzeConfigDisclosure(const std::vector<Token>& t, const PhpTaint&, const std::string& layer,
                             std::vector<CodeTrait>& out);
// Every account's password (or card) column selected with no WHERE, fetched in a loop that
// prints or writes the rows: a database dumper.
void AnalyzeCredentialDump(const std::vector<Token>& t, const PhpTaint& taint,
                           const std::string& layer, std::vector<CodeTrait>& out);
// Other sites on the same address looked up through a search engine's "ip:" operator or a
// reverse-IP service: how mass defacers pick their next targets.
void AnalyzeReverseIpLookup(const std::vector<Token>& t, const PhpTaint&, const std::string& layer,
                            std::vector<CodeTrait>& out);
// A visitor filter naming three or more anti-phishing or security services, matched against
// the visitor's address, reverse host name, browser or referrer, on a page that redirects or
// answers 403/404: how scam and phishing pages hide from those who would report them.
void AnalyzeVisitorCloak(const std::vector<Token>& t, const PhpTaint& taint,
                         const std::string& layer, std::vector<CodeTrait>& out);
// Drive letters tried one by one (a weak trait), every address of a network fetched in turn
// (high when the request names the network), and the server's PHP session files listed, read
// and printed (other visitors' sessions, to take over their logins).
void AnalyzeServerSurvey(const std::vector<Token>& t, const PhpTaint& taint,
                         const std::string& layer, std::vector<CodeTrait>& out);
// A variable holding part of an execution sink's name ('asser') called as a function: the
// name is completed at run time by code the folds cannot follow.
void AnalyzeCompletedSinkName(const std::vector<Token>& t, const PhpTaint&,
                              const std::string& layer, std::vector<CodeTrait>& out);
// SHOW TABLES then SELECT * of each (every table read out), and a database login written in
// the file: weak traits, each counted only beside another family (backup plugins dump every
// table with the application's own login; installers write logins into configuration).
void AnalyzeDatabaseDump(const std::vector<Token>& t, const PhpTaint&, const std::string& layer,
                         std::vector<CodeTrait>& out);
// A request parameter compared with a password (or its hash) written in the code, and SQL
// that writes request values: weak traits, each counted only beside another family.
void AnalyzeFixedPasswordGate(const std::vector<Token>& t, const PhpTaint& taint,
                              const std::string& layer, std::vector<CodeTrait>& out);

// php_escapes.cc: LD_PRELOAD set before mail()/error_log() start a process, sendmail's -X log
// through mail()'s fifth argument, error_log() appending request input to a .php file, an
// XSLT stylesheet calling a shell or code function, callbacks registered from the request
// (SQLite functions, sort callbacks, registerPHPFunctions) and dl() of a request name.
void AnalyzeSandboxEscapes(const std::vector<Token>& t, const PhpTaint& taint,
                           const std::string& layer, std::vector<CodeTrait>& out);
// php_objects.cc: SplFileObject opened for writing on a request-named path and written with
// request data; ArrayObject/ArrayIterator of request input sorted with an execution sink as the
// callback; touch() given a time from the request (backdating, medium).
void AnalyzeObjectSinks(const std::vector<Token>& t, const PhpTaint& taint,
                        const std::string& layer, std::vector<CodeTrait>& out);

}  // namespace tq::webroot::php
