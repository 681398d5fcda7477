#pragma once
// `herald get URL`, `herald head URL`, `herald send METHOD URL`: one request as a user means it
// (redirects, challenges, retries), its response printed or saved.
//
// Exit status: 0 when the exchange completed, whatever its status (as curl does); 22 with
// --fail when the final status is 4xx or 5xx; 1 for a transport or protocol failure (an
// incomplete body included); 3 when the redirect chain stopped (a loop, too many hops, a
// refused or missing Location, 305, a redirect the strict policy will not follow); 2 for bad
// usage.
//
// `get -o FILE` downloads: the content goes to FILE.part and becomes FILE only once its length
// is checked, so a failed download never looks complete. The validators (ETag,
// Last-Modified) and the length go to FILE.herald.json as soon as the head arrives:
// - `-C` resumes FILE.part with Range and If-Range: 206 appends (after checking
//   Content-Range), 200 starts again from zero (the resource changed), 416 completes the file
//   if its size is the whole length; without a validator it starts again rather than splice
//   bytes of two versions.
// - `--revalidate` sends If-None-Match / If-Modified-Since from FILE.herald.json: 304 leaves
//   FILE untouched.
// - `--segments N` fetches N ranges over N connections at once (If-Range on each), writes each
//   in place, and checks every Content-Range and the total; a server that ignores ranges gets
//   one stream.

#include <iosfwd>
#include <string>

#include "cli/client_common.hpp"

namespace CLI {
class App;
}

namespace herald::cli {

struct request_options {
  std::string method = "GET";
  std::string url;
  std::string data_file;  // send: the content, '-' for standard input
  std::string output;     // get -o FILE
  bool resume = false;
  std::string range;  // A-B
  bool revalidate = false;
  std::string time_cond;
  unsigned segments = 1;
  bool include = false;  // print the head before the content
  bool fail = false;
  request_flags request;
};

void add_request_commands(CLI::App& app, request_options& get, request_options& head,
                          request_options& send);
int run_request(const request_options& options, std::ostream& out, std::ostream& err,
                bool terminal);

}  // namespace herald::cli
