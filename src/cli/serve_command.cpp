#include "cli/serve_command.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <pthread.h>
#include <sys/resource.h>

#include <charconv>
#include <cmath>
#include <csignal>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <system_error>

#include <herald/handlers/lab.hpp>
#include <herald/handlers/path_rules.hpp>
#include <herald/server/resource_handler.hpp>
#include <herald/server/router.hpp>
#include <herald/server/server.hpp>

#include "cli/config_file.hpp"

namespace herald::cli {

namespace {

std::chrono::milliseconds seconds(double s) {
  return std::chrono::milliseconds(static_cast<long long>(s * 1000));
}

constexpr double one_year = 365.0 * 24 * 3600;

// Seconds that `seconds` turns into milliseconds a timer can hold: finite (CLI11's range
// checks let NaN through) and from `least` to `most`.
CLI::Validator seconds_within(double least, double most) {
  return CLI::Validator(
      [least, most](std::string& text) -> std::string {
        double value = 0;
        if (CLI::detail::lexical_cast(text, value) && std::isfinite(value) && value >= least &&
            value <= most)
          return {};
        return fmt::format("{}: expected seconds from {} to {}", text, least, most);
      },
      fmt::format("SECONDS in [{} - {}]", least, most));
}

// The file's values where the command line gave none: flags override the file. The file's
// rules go after those of --rule, so that a --rule for the same path wins (the first matching
// rule answers).
void apply_config(CLI::App& cmd, serve_options& o) {
  if (o.config.empty()) return;
  config_result read = read_config(o.config);
  if (!read.config) throw CLI::ValidationError(read.error);
  config_file& file = *read.config;
  const auto given = [&cmd](std::string_view flag) { return cmd.count(std::string(flag)) > 0; };
  if (file.root && !given("root") && !given("--root")) o.root = *file.root;
  if (file.listen && !given("--listen")) o.listen = *file.listen;
  if (file.workers && !given("--workers")) o.server.workers = *file.workers;
  if (file.server_names && !given("--server-name")) o.server.server_names = *file.server_names;
  if (file.strict_host && !given("--strict-host")) o.server.strict_host = *file.strict_host;
  if (file.access_log && !given("--access-log")) o.server.access_log_path = *file.access_log;
  if (file.trace && !given("--trace")) o.files.trace = *file.trace;
  if (file.listing && !given("--no-listing")) o.files.listings = *file.listing;
  if (file.multiviews && !given("--multiviews")) o.files.multiviews = *file.multiviews;
  if (file.offer_choice && !given("--offer-choice")) o.files.offer_choice = *file.offer_choice;
  if (file.lab && !given("--lab")) o.lab = *file.lab;
  if (file.lab_prefix && !given("--lab-prefix")) {
    o.lab_options.prefix = *file.lab_prefix;
    o.lab = true;  // a prefix says where the lab goes, so it implies the lab
  }
  for (handlers::path_rule& rule : file.rules) o.files.rules.add(std::move(rule));
}

// As Go's runtime does, and nginx's worker_rlimit_nofile: the soft limit on open files (1024
// on most systems) is too low for a server's connections and its open-file cache, and the
// hard limit is what the administrator allows. Failing to raise it changes nothing.
void raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace

server::listen_address parse_listen(const std::string& text) {
  server::listen_address address;
  std::string_view port_text = text;
  auto colon = text.rfind(':');
  if (colon != std::string::npos && text.find(']') != std::string::npos &&
      colon < text.find(']'))
    colon = std::string::npos;  // "[::1]" alone: no port
  if (colon != std::string::npos && text.find(':') != colon && text.front() != '[')
    throw std::invalid_argument("--listen " + text + ": write an IPv6 address in brackets, [::1]:8080");
  if (colon != std::string::npos) {
    address.host = text.substr(0, colon);
    port_text = std::string_view(text).substr(colon + 1);
    if (address.host.empty()) throw std::invalid_argument("--listen " + text + ": no host before the colon");
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535)
    throw std::invalid_argument("--listen " + text + ": the port must be a number from 0 to 65535");
  address.port = static_cast<unsigned short>(port);
  return address;
}

void add_serve_command(CLI::App& app, serve_options& o) {
  CLI::App* cmd = app.add_subcommand("serve", "Serve a directory over HTTP/1.1");
  cmd->add_option("root", o.root, "Directory to serve")->capture_default_str()->check(CLI::ExistingDirectory);
  cmd->add_option("--root", o.root, "Directory to serve (same as the positional)")->check(CLI::ExistingDirectory);
  // Repeatable options take one value per occurrence, so `-l :8080 www` leaves www the root.
  cmd->add_option("--listen,-l", o.listen,
                  "Address to listen on, host:port or port; repeatable (default 127.0.0.1:8080)")
      ->allow_extra_args(false);
  cmd->add_option("--workers", o.server.workers, "Worker threads (default: one per core)");
  cmd->add_option("--header-timeout", o.header_timeout,
                  "Seconds for a request head to arrive (408)")
      ->capture_default_str()
      ->check(seconds_within(0.001, one_year));
  cmd->add_option("--body-timeout", o.body_timeout, "Seconds the request content may stall (408)")
      ->capture_default_str()
      ->check(seconds_within(0.001, one_year));
  cmd->add_option("--idle-timeout", o.idle_timeout,
                  "Seconds an idle keep-alive connection stays open")
      ->capture_default_str()
      ->check(seconds_within(0.001, one_year));
  cmd->add_option("--send-timeout", o.send_timeout, "Seconds a slow reader may stall a response")
      ->capture_default_str()
      ->check(seconds_within(0.001, one_year));
  cmd->add_option("--file-cache-valid", o.file_cache_valid,
                  "Seconds a worker serves a cached file that inotify cannot watch (NFS, a "
                  "symbolic link on the way) without checking that its path still names it "
                  "unchanged (0: check on every request)")
      ->capture_default_str()
      ->check(seconds_within(0, one_year));
  cmd->add_option("--grace", o.grace, "Seconds requests in flight may finish after SIGTERM")
      ->capture_default_str()
      ->check(seconds_within(0, one_year));
  cmd->add_option("--max-request-line", o.server.limits.max_request_line, "Octets in a request line (414)")
      ->capture_default_str()->check(CLI::Range(std::size_t{8000}, std::size_t{1} << 20));
  cmd->add_option("--max-header-size", o.server.limits.max_header_section, "Octets of header fields (431)")
      ->capture_default_str()->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 24));
  cmd->add_option("--max-fields", o.server.limits.max_field_count, "Header fields per request (431)")
      ->capture_default_str()->check(CLI::Range(std::size_t{8}, std::size_t{100000}));
  cmd->add_option("--max-connections", o.server.max_connections_per_worker,
                  "Connections per worker; beyond, 503 and close")->capture_default_str();
  cmd->add_option("--server-name", o.server.server_names, "A host name this server answers for; repeatable")
      ->allow_extra_args(false);
  cmd->add_flag("--strict-host", o.server.strict_host, "Answer 421 to requests for other host names");
  cmd->add_option("--server-header", o.server.server_header, "Value of the Server field")->capture_default_str();
  cmd->add_flag("--no-server-header", o.no_server_header, "Send no Server field");
  cmd->add_option("--access-log", o.server.access_log_path, "Access log file (default: standard output)");
  cmd->add_flag("--no-access-log", o.no_access_log, "Write no access log");
  cmd->add_option("--log-format", o.log_format, "Access log format")
      ->capture_default_str()->check(CLI::IsMember({"combined", "json"}));
  cmd->add_option("--deny-peer", o.server.deny_peers, "Close connections from this address without a response (logged 444)")
      ->allow_extra_args(false);
  cmd->add_option("--deny-path", o.server.deny_paths, "Close requests for paths with this prefix without a response (logged 444)")
      ->allow_extra_args(false);
  cmd->add_flag("--show-hidden", o.files.show_hidden, "Serve dotfiles (.git, .env, ...)");
  cmd->add_flag_callback("--no-listing", [&o] { o.files.listings = false; },
                         "Answer 403 for a directory without an index file instead of listing it");
  cmd->add_flag("--multiviews", o.files.multiviews,
                "Negotiate a path that names nothing among its files with extensions "
                "(/doc: doc.html, doc.pdf, doc.en.html, ...) by Accept and Accept-Language");
  cmd->add_flag("--offer-choice", o.files.offer_choice,
                "With --multiviews, answer 300 with the list of views when the request prefers "
                "none of them");
  cmd->add_option_function<std::vector<std::string>>(
         "--cache-control",
         [&o](const std::vector<std::string>& rules) {
           for (const std::string& text : rules) {
             std::optional<handlers::cache_rule> rule = handlers::parse_cache_rule(text);
             if (!rule)
               throw CLI::ValidationError(
                   "--cache-control", text + ": expected PATTERN=VALUE, e.g. '*.css=max-age=3600'");
             o.files.cache_rules.push_back(std::move(*rule));
           }
         },
         "Cache-Control for paths matching PATTERN ('*.css' suffix, '/assets/*' prefix, or exact); "
         "repeatable, the first match wins")
      ->type_name("PATTERN=VALUE")
      ->allow_extra_args(false);
  cmd->add_flag("--trace", o.files.trace,
                "Send each request's path through the decision engine in a Herald-Trace field and "
                "to the access log");
  cmd->add_option_function<std::vector<std::string>>(
         "--rule",
         [&o](const std::vector<std::string>& rules) {
           for (const std::string& text : rules) {
             handlers::rule_result rule = handlers::parse_path_rule(text);
             if (!rule.rule) throw CLI::ValidationError("--rule \"" + text + "\"", rule.error);
             o.files.rules.add(std::move(*rule.rule));
           }
         },
         "A rule for a path ('/old' exact, '/old/*' whole segments beneath): 'gone PATH' (410), "
         "'blocked PATH ENTITY-URI' (451), 'redirect 301|302|307|308 PATH TARGET', "
         "'require-precondition PATH' (428), 'early-hints PATH LINK' (103); repeatable, the "
         "first gone/blocked/redirect rule matching a path answers")
      ->type_name("RULE")
      ->allow_extra_args(false);
  cmd->add_flag("--lab", o.lab,
                "Serve the lab, an httpbin-compatible test origin for HTTP clients, at / "
                "(or at --lab-prefix beside the files)");
  cmd->add_option("--lab-prefix", o.lab_options.prefix,
                  "Mount the lab at this path (e.g. /lab) and serve the files elsewhere; implies --lab");
  cmd->add_option("--lab-max-delay", o.lab_max_delay,
                  "Seconds the lab's slow endpoints may take (/delay, /drip, /timeout, ...)")
      ->capture_default_str()
      ->check(seconds_within(0, 600));
  cmd->add_option("--lab-max-bytes", o.lab_options.max_bytes,
                  "Octets the lab's generated content may have (/bytes, /range, /drip, ...)")
      ->capture_default_str()->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 30));
  cmd->add_option("--config", o.config,
                  "A TOML file with a [serve] table (root, listen, workers, server-name, "
                  "strict-host, access-log, trace, listing, multiviews, offer-choice, lab, lab-prefix) and "
                  "[[rule]] tables; "
                  "flags override it")
      ->type_name("FILE");
  cmd->final_callback([cmd, &o] {
    apply_config(*cmd, o);
    if (o.files.offer_choice && !o.files.multiviews)
      throw CLI::ValidationError("--offer-choice", "it chooses among multiviews: add --multiviews");
    if (cmd->count("--lab-prefix") > 0) {
      if (std::optional<std::string> error = handlers::normalize_lab_prefix(o.lab_options.prefix))
        throw CLI::ValidationError("--lab-prefix", *error);
      o.lab = true;
    }
  });
}

int run_serve(serve_options& o, std::ostream& err) {
  try {
    o.server.listen.clear();
    for (const std::string& l : o.listen) o.server.listen.push_back(parse_listen(l));
    if (o.server.listen.empty()) o.server.listen.push_back(server::listen_address{});
    o.server.header_timeout = seconds(o.header_timeout);
    o.server.body_timeout = seconds(o.body_timeout);
    o.server.idle_timeout = seconds(o.idle_timeout);
    o.server.send_timeout = seconds(o.send_timeout);
    o.server.grace_period = seconds(o.grace);
    o.files.file_cache_valid = seconds(o.file_cache_valid);
    if (o.no_server_header) o.server.server_header.clear();
    o.server.access_log = !o.no_access_log;
    o.server.log_format = o.log_format == "json" ? server::access_log_format::json
                                                 : server::access_log_format::combined;
    o.files.root = o.root;

    // Until the signal handlers exist, SIGTERM must wait rather than kill (see server.hpp).
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGPIPE}) sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    handlers::static_files files(o.files);
    server::resource_handler_options handler_options;
    handler_options.trace = o.files.trace;
    server::resource_handler file_handler(files, handler_options);
    o.lab_options.max_delay = seconds(o.lab_max_delay);
    handlers::lab lab(o.lab_options);
    server::router routes(file_handler);
    if (o.lab) routes.mount(o.lab_options.prefix.empty() ? "/" : o.lab_options.prefix, lab);
    // Without the lab the files need no router in their path.
    server::handler& handler = o.lab ? static_cast<server::handler&>(routes) : file_handler;
    raise_open_file_limit();
    server::server s(o.server, handler);
    s.start();
    s.run_until_signalled([&] {
      auto ports = s.ports();
      for (std::size_t i = 0; i < ports.size(); ++i) {
        const std::string base = fmt::format("http://{}:{}", o.server.listen[i].host, ports[i]);
        if (!o.lab || !o.lab_options.prefix.empty())
          err << fmt::format("herald: serving {} on {}/\n", o.root, base);
        if (o.lab) err << fmt::format("herald: lab on {}{}/\n", base, o.lab_options.prefix);
      }
      err.flush();
    });
    return 0;
  } catch (const std::exception& e) {
    err << "herald serve: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace herald::cli
