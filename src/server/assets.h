// The web UI's files, compiled into the binary from web/ (embed_web.cmake).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace tq::server {

struct Asset {
  const char* path;          // "/index.html"
  const char* content_type;  // "text/html; charset=utf-8"
  const char* data;
  size_t size;
};
const std::vector<Asset>& Assets();
const Asset* FindAsset(std::string_view path);

}  // namespace tq::server
