#pragma once
// The config file of `herald serve --config FILE` (TOML, read with toml++ in config_file.cpp
// only, which is heavy to compile):
//
//   [serve]
//   root = "/srv/www"
//   listen = ["127.0.0.1:8080", "[::1]:8080"]   # or one string
//   workers = 4
//   server-name = ["example.com"]                # or one string
//   strict-host = true
//   access-log = "/var/log/herald/access.log"
//   trace = false
//   listing = true                               # false: --no-listing
//   multiviews = false                           # --multiviews
//   offer-choice = false                         # --offer-choice
//   lab = false                                  # --lab
//   lab-prefix = "/lab"                          # --lab-prefix
//
//   [[rule]]
//   kind = "redirect"        # gone, blocked, redirect, require-precondition, early-hints
//   path = "/old/*"
//   code = 301               # redirect only
//   target = "/new/"         # redirect only
//   # entity = "https://..." for blocked, link = "</a.css>; rel=preload" for early-hints
//
// Keys are checked: an unknown table or key, a value of the wrong type, or a rule that
// handlers::make_path_rule refuses is an error. Every value is optional; the command line's
// flags override the file's (serve_command.cpp).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <herald/handlers/path_rules.hpp>

namespace herald::cli {

struct config_file {
  std::optional<std::string> root;
  std::optional<std::vector<std::string>> listen;
  std::optional<unsigned> workers;
  std::optional<std::vector<std::string>> server_names;
  std::optional<bool> strict_host;
  std::optional<std::string> access_log;
  std::optional<bool> trace;
  std::optional<bool> listing;
  std::optional<bool> multiviews;
  std::optional<bool> offer_choice;
  std::optional<bool> lab;
  std::optional<std::string> lab_prefix;
  std::vector<handlers::path_rule> rules;  // in file order
};

// A config, or one line saying why there is none: "FILE:LINE: what is wrong" (without a line
// when the file cannot be read).
struct config_result {
  std::optional<config_file> config;
  std::string error;
};

// Parses TOML text; `source` names it in errors (a file name).
config_result parse_config(std::string_view text, std::string_view source);
// Reads and parses a file.
config_result read_config(const std::string& path);

}  // namespace herald::cli
