#include "cli/config_file.hpp"

#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include <herald/handlers/lab.hpp>
#include <utility>

namespace herald::cli {

namespace {

// Thrown inside this file only, to leave the walk at the first problem; parse_config turns it
// into config_result::error.
struct config_error {
  toml::source_position where;
  std::string message;
};

[[noreturn]] void fail(const toml::source_region& at, std::string message) {
  throw config_error{at.begin, std::move(message)};
}

std::string quoted(std::string_view key) {
  return "\"" + std::string(key) + "\"";
}

std::string string_of(const toml::node& node, std::string_view key) {
  const std::optional<std::string> value = node.value<std::string>();
  if (!node.is_string() || !value) fail(node.source(), quoted(key) + " must be a string");
  return *value;
}

bool bool_of(const toml::node& node, std::string_view key) {
  if (!node.is_boolean()) fail(node.source(), quoted(key) + " must be true or false");
  return *node.value<bool>();
}

std::int64_t integer_of(const toml::node& node, std::string_view key) {
  if (!node.is_integer()) fail(node.source(), quoted(key) + " must be an integer");
  return *node.value<std::int64_t>();
}

// A string or an array of strings.
std::vector<std::string> strings_of(const toml::node& node, std::string_view key) {
  if (node.is_string()) return {string_of(node, key)};
  const toml::array* array = node.as_array();
  if (array == nullptr) fail(node.source(), quoted(key) + " must be a string or an array of them");
  std::vector<std::string> out;
  for (const toml::node& item : *array) out.push_back(string_of(item, key));
  return out;
}

void read_serve(const toml::table& serve, config_file& out) {
  for (const auto& [key, node] : serve) {
    const std::string_view name = key.str();
    if (name == "root") {
      out.root = string_of(node, name);
    } else if (name == "listen") {
      out.listen = strings_of(node, name);
    } else if (name == "workers") {
      const std::int64_t n = integer_of(node, name);
      if (n < 0 || n > 4096)
        fail(node.source(), "\"workers\" must be from 0 (one per core) to 4096");
      out.workers = static_cast<unsigned>(n);
    } else if (name == "server-name") {
      out.server_names = strings_of(node, name);
    } else if (name == "strict-host") {
      out.strict_host = bool_of(node, name);
    } else if (name == "access-log") {
      out.access_log = string_of(node, name);
    } else if (name == "trace") {
      out.trace = bool_of(node, name);
    } else if (name == "listing") {
      out.listing = bool_of(node, name);
    } else if (name == "multiviews") {
      out.multiviews = bool_of(node, name);
    } else if (name == "offer-choice") {
      out.offer_choice = bool_of(node, name);
    } else if (name == "lab") {
      out.lab = bool_of(node, name);
    } else if (name == "lab-prefix") {
      std::string prefix = string_of(node, name);
      if (std::optional<std::string> error = handlers::normalize_lab_prefix(prefix))
        fail(node.source(), quoted(name) + ": " + *error);
      out.lab_prefix = std::move(prefix);
    } else {
      fail(key.source(),
           "unknown key " + quoted(name) +
               " in [serve]: expected root, listen, workers, server-name, strict-host, "
               "access-log, trace, listing, multiviews, offer-choice, lab or lab-prefix");
    }
  }
}

void read_rule(const toml::table& table, config_file& out) {
  std::string kind, path, value;
  std::string_view value_key;
  std::optional<std::int64_t> code;
  for (const auto& [key, node] : table) {
    const std::string_view name = key.str();
    if (name == "kind") {
      kind = string_of(node, name);
    } else if (name == "path") {
      path = string_of(node, name);
    } else if (name == "code") {
      code = integer_of(node, name);
    } else if (name == "target" || name == "entity" || name == "link") {
      if (!value_key.empty())
        fail(key.source(), "a rule takes one of target, entity and link, not " + quoted(value_key) +
                               " and " + quoted(name));
      value_key = name;
      value = string_of(node, name);
    } else {
      fail(key.source(), "unknown key " + quoted(name) +
                             " in [[rule]]: expected kind, path, code, target, entity or link");
    }
  }
  if (kind.empty()) fail(table.source(), "a [[rule]] needs a \"kind\"");
  // Each kind names its value after what it is.
  const std::optional<handlers::rule_kind> k = handlers::parse_rule_kind(kind);
  const std::string_view expected = k == handlers::rule_kind::redirect      ? "target"
                                    : k == handlers::rule_kind::blocked     ? "entity"
                                    : k == handlers::rule_kind::early_hints ? "link"
                                                                            : "";
  if (k && !value_key.empty() && value_key != expected) {
    fail(table.source(), "a " + kind + " rule takes " +
                             (expected.empty() ? std::string("no ") + quoted(value_key)
                                               : quoted(expected) + ", not " + quoted(value_key)));
  }
  handlers::rule_result rule = handlers::make_path_rule({kind, path, value, code});
  if (!rule.rule) fail(table.source(), rule.error);
  out.rules.push_back(std::move(*rule.rule));
}

config_file read_document(const toml::table& document) {
  config_file out;
  for (const auto& [key, node] : document) {
    const std::string_view name = key.str();
    if (name == "serve") {
      const toml::table* serve = node.as_table();
      if (serve == nullptr) fail(node.source(), "\"serve\" must be a table: [serve]");
      read_serve(*serve, out);
    } else if (name == "rule") {
      const toml::array* rules = node.as_array();
      if (rules == nullptr || !rules->is_array_of_tables())
        fail(node.source(), "\"rule\" must be an array of tables: [[rule]]");
      for (const toml::node& rule : *rules) read_rule(*rule.as_table(), out);
    } else {
      fail(key.source(), "unknown table or key " + quoted(name) + ": expected [serve] or [[rule]]");
    }
  }
  return out;
}

std::string located(std::string_view source, const toml::source_position& where,
                    std::string_view message) {
  std::string out(source);
  if (where.line != 0) out += ":" + std::to_string(where.line);
  out += ": ";
  out += message;
  return out;
}

}  // namespace

config_result parse_config(std::string_view text, std::string_view source) {
  config_result out;
  try {
    const toml::table document = toml::parse(text, source);
    out.config = read_document(document);
  } catch (const toml::parse_error& e) {
    out.error = located(source, e.source().begin, e.description());
  } catch (const config_error& e) {
    out.error = located(source, e.where, e.message);
  }
  return out;
}

config_result read_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {std::nullopt, path + ": cannot read the config file"};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return {std::nullopt, path + ": cannot read the config file"};
  return parse_config(text.str(), path);
}

}  // namespace herald::cli
