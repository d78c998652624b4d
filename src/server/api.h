// The JSON API's handlers and route table (internal to the server component).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "casefile/casefile.h"
#include "core/json.h"
#include "taskforce/taskforce.h"

namespace tq::server {

struct ApiRequest {
  Case& the_case;
  const taskforce::User& user;
  std::multimap<std::string, std::string> params;  // query string
  std::string id;                                  // the {id} in the path, digits
  std::map<std::string, std::string> body;         // a flat JSON object's fields
};

// Writes the response body into `w`. Changing handlers run their own transaction and write
// the audit row inside it.
using ApiHandler = Status (*)(ApiRequest&, JsonWriter&);

struct ApiRoute {
  const char* method;
  const char* path;     // shown: "/api/tasks/{id}"
  const char* example;  // for tests: "/api/tasks/1"
  const char* pattern;  // httplib regex
  taskforce::Permission permission;
  bool personal_data;
  ApiHandler handler;
};
const std::vector<ApiRoute>& ApiTable();

// Handlers in api_tasks.cc.
Status GetTasks(ApiRequest& r, JsonWriter& w);
Status PostTask(ApiRequest& r, JsonWriter& w);
Status PostTaskUpdate(ApiRequest& r, JsonWriter& w);
Status PostTaskComment(ApiRequest& r, JsonWriter& w);
Status GetPostmortem(ApiRequest& r, JsonWriter& w);
Status PostPostmortem(ApiRequest& r, JsonWriter& w);
Status PostAction(ApiRequest& r, JsonWriter& w);
Status GetUsers(ApiRequest& r, JsonWriter& w);

// Handlers in api_views.cc.
Status GetStory(ApiRequest& r, JsonWriter& w);
Status GetCharts(ApiRequest& r, JsonWriter& w);
Status GetLetters(ApiRequest& r, JsonWriter& w);
Status GetLetter(ApiRequest& r, JsonWriter& w);
Status GetReports(ApiRequest& r, JsonWriter& w);
Status WriteDeadlines(Db& db, JsonWriter& w);

// Parses a flat JSON object (string, number, bool or null values) into `out`.
Status ParseJsonObject(std::string_view body, std::map<std::string, std::string>& out);

// Indexes the server adds to other tables for its queries.
Status EnsureServerSchema(Case& c);

}  // namespace tq::server
