// Where the shipped plain files (rules/, data/) are: the one lookup every component uses.
#pragma once

#include <string>
#include <string_view>

namespace tq {

// The path of `relative` ("rules/sigma", "data/jurisdictions/duties.txt") among the shipped
// files: under $TOURNIQUET_HOME when set; else under the nearest ancestor of the running binary
// that has it (a build tree inside the checkout, or PREFIX/share/tourniquet beside PREFIX/bin);
// else under the source tree the binary was built from; else /usr/share/tourniquet.
std::string ShippedPath(std::string_view relative);

}  // namespace tq
