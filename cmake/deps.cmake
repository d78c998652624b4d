# Every third-party library as an imported target, from Debian's packages (scripts/packages.txt).
# Components link only what they use, so heavy or clashing headers stay inside them.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(GTest REQUIRED)
find_package(date CONFIG REQUIRED)
find_package(CLI11 CONFIG QUIET)

foreach(spec
    "hs;libhs" "yara;yara" "sqlite3;sqlite3" "simdjson;simdjson" "fmt;fmt" "yamlcpp;yaml-cpp"
    "curl;libcurl" "archive;libarchive" "zstd;libzstd" "zlib;zlib" "isal;libisal"
    "sodium;libsodium" "cmark;libcmark-gfm" "mariadb;libmariadb" "xxhash;libxxhash"
    "pangocairo;pangocairo" "crypto;libcrypto")
  list(GET spec 0 short)
  list(GET spec 1 module)
  pkg_check_modules(PC_${short} REQUIRED IMPORTED_TARGET ${module})
  add_library(dep::${short} ALIAS PkgConfig::PC_${short})
endforeach()

find_library(BZ2_LIB bz2 REQUIRED)
add_library(dep_bz2 INTERFACE)
target_link_libraries(dep_bz2 INTERFACE ${BZ2_LIB})
add_library(dep::bz2 ALIAS dep_bz2)

find_library(CMARK_EXT_LIB cmark-gfm-extensions REQUIRED)
add_library(dep_cmark_ext INTERFACE)
target_link_libraries(dep_cmark_ext INTERFACE ${CMARK_EXT_LIB} dep::cmark)
add_library(dep::cmark_ext ALIAS dep_cmark_ext)

find_package(OpenSSL QUIET)
# Header-only: CLI11, cpp-httplib, kainjow mustache live in /usr/include.
add_library(dep_httplib INTERFACE)
target_link_libraries(dep_httplib INTERFACE Threads::Threads)
if(OpenSSL_FOUND)
  target_compile_definitions(dep_httplib INTERFACE CPPHTTPLIB_OPENSSL_SUPPORT)
  target_link_libraries(dep_httplib INTERFACE OpenSSL::SSL OpenSSL::Crypto)
endif()
add_library(dep::httplib ALIAS dep_httplib)

find_package(benchmark QUIET)
