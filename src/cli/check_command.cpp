#include "cli/check_command.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <ostream>
#include <thread>

#include <herald/core/status.hpp>

#include "cli/terminal.hpp"

namespace herald::cli {

namespace {

using json = nlohmann::ordered_json;

// Content of a checked URL is read and dropped.
class discard final : public client::content_sink {
 public:
  bool begin(const client::response_record&) override { return true; }
  bool write(std::string_view) override { return true; }
};

std::string_view kind_text(const client::redirect_step& s) {
  switch (s.kind) {
    case client::redirect_kind::permanent:
      return s.preserves_method ? "permanent, same method" : "permanent, may become GET";
    case client::redirect_kind::temporary:
      return s.preserves_method ? "temporary, same method" : "temporary, may become GET";
    case client::redirect_kind::see_other: return "see other: GET";
    case client::redirect_kind::choice: return "choice";
    case client::redirect_kind::none: return "";
  }
  return "";
}

double ms(std::chrono::microseconds t) { return static_cast<double>(t.count()) / 1000.0; }

struct checked {
  std::string url;
  client::fetch_result result;
  std::vector<std::string> found;
};

json to_json(const checked& c, std::string_view method) {
  json hops = json::array();
  for (const client::hop& h : c.result.hops) {
    json hop{{"method", h.request.method}, {"url", h.request.url}};
    if (h.response) {
      hop["status"] = h.response->status;
      hop["reason"] = h.response->reason;
      std::optional<std::string_view> location = h.response->fields.find("Location");
      hop["location"] = location ? json(std::string(*location)) : json(nullptr);
      hop["kind"] = h.step.kind == client::redirect_kind::none ? json(nullptr) : json(std::string(kind_text(h.step)));
      hop["time_ms"] = ms(h.response->time.total);
      json fields = json::array();
      for (auto [name, value] : h.response->fields) fields.push_back({std::string(name), std::string(value)});
      hop["headers"] = fields;
    } else {
      hop["status"] = nullptr;
    }
    hops.push_back(hop);
  }
  json out{{"url", c.url}, {"method", method}, {"hops", hops}};
  const client::response_record* last = c.result.final_response();
  if (last && !c.result.stopped && !c.result.error)
    out["final"] = {{"status", last->status}, {"reason", last->reason}, {"url", c.result.hops.back().request.url}};
  else
    out["final"] = nullptr;
  out["stopped"] = c.result.stopped ? json(std::string(client::to_string(*c.result.stopped))) : json(nullptr);
  out["stop_detail"] = c.result.stopped ? json(c.result.hops.back().step.detail) : json(nullptr);
  out["error"] = c.result.error ? json(std::string(c.result.error->what())) : json(nullptr);
  out["findings"] = c.found;
  out["notes"] = c.result.notes;
  out["time_ms"] = ms(c.result.total);
  return out;
}

void print_text(const checked& c, const check_options& o, std::ostream& out, const painter& paint) {
  out << paint(fmt::emphasis::bold, c.url) << '\n';
  for (const client::hop& h : c.result.hops) {
    if (!h.response) continue;
    const client::response_record& r = *h.response;
    std::string line = fmt::format("  {} {:>8.1f} ms", paint(status_style(r.status), fmt::format("{:<30}", status_line(r.status, r.reason))), ms(r.time.total));
    if (std::optional<std::string_view> location = r.fields.find("Location"); location && r.status / 100 == 3)
      line += fmt::format("  → {}", *location);
    if (h.step.kind != client::redirect_kind::none) line += fmt::format("  ({})", kind_text(h.step));
    out << line << '\n';
    if (o.show_headers)
      for (auto [name, value] : r.fields) out << "      " << name << ": " << value << '\n';
  }
  if (c.result.error) out << "  " << paint(fmt::fg(fmt::terminal_color::red), fmt::format("failed: {}", c.result.error->what())) << '\n';
  else if (c.result.stopped) out << "  " << paint(fmt::fg(fmt::terminal_color::red), fmt::format("stopped: {}", c.result.hops.back().step.detail)) << '\n';
  else if (const client::response_record* last = c.result.final_response()) {
    const std::size_t redirects = c.result.hops.size() - 1;
    out << "  = " << paint(status_style(last->status), status_line(last->status, last->reason))
        << fmt::format(" after {} redirect{}, {:.1f} ms", redirects, redirects == 1 ? "" : "s", ms(c.result.total)) << '\n';
  }
  for (const std::string& f : c.found) out << "  " << paint(fmt::fg(fmt::terminal_color::yellow), "! " + f) << '\n';
  for (const std::string& n : c.result.notes) out << "  " << paint(fmt::emphasis::faint, "· " + n) << '\n';
}

std::vector<std::string> read_urls(const check_options& o) {
  std::vector<std::string> urls = o.urls;
  if (o.input.empty()) return urls;
  std::ifstream file;
  std::istream* in = &std::cin;
  if (o.input != "-") {
    file.open(o.input);
    if (!file) throw std::invalid_argument("--input " + o.input + ": cannot be read");
    in = &file;
  }
  std::string line;
  while (std::getline(*in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    urls.push_back(line);
  }
  return urls;
}

}  // namespace

std::vector<std::string> findings(const client::fetch_result& r) {
  std::vector<std::string> out;
  bool permanent_seen = false;
  bool temporary_after_permanent = false;
  std::size_t redirects = 0;
  for (const client::hop& h : r.hops) {
    if (!h.response) continue;
    const int status = h.response->status;
    if (h.step.downgrade) out.push_back(fmt::format("{} downgrades https to http: {}", status, h.step.next.url));
    if ((status == 302 || status == 301) && h.request.method == "POST" && h.step.method_changed)
      out.push_back(fmt::format("{} after POST turned it into GET: send 303 to say so, or 307/308 to keep POST", status));
    if (h.step.credentials_dropped)
      out.push_back(fmt::format("{} leads to another origin: credentials and cookies were dropped", status));
    if (h.step.verdict == client::redirect_verdict::follow) {
      ++redirects;
      if (h.step.kind == client::redirect_kind::permanent) permanent_seen = true;
      else if (permanent_seen && h.step.kind == client::redirect_kind::temporary) temporary_after_permanent = true;
    }
  }
  if (temporary_after_permanent)
    out.push_back("a permanent redirect leads to a temporary one: caches keep the permanent one for good");
  if (redirects >= 2 && !r.stopped && !r.error)
    out.push_back(fmt::format("{} redirects in a row: link straight to {}", redirects, r.hops.back().request.url));
  return out;
}

void add_check_command(CLI::App& app, check_options& o) {
  CLI::App* cmd = app.add_subcommand("check", "Show the redirect chain of each URL, hop by hop");
  cmd->add_option("urls", o.urls, "URLs to check");
  cmd->add_option("-X,--request", o.method, "Method of the first request")->capture_default_str();
  cmd->add_option("--input", o.input, "A file of URLs, one a line ('-': standard input)");
  cmd->add_option("--concurrency", o.concurrency, "URLs checked at once")
      ->capture_default_str()->check(CLI::Range(1u, 64u));
  cmd->add_flag("--show-headers", o.show_headers, "Print each response's header fields");
  add_request_flags(*cmd, o.request);
}

int run_check(const check_options& o, std::ostream& out, std::ostream& err, bool color,
              bool progress) {
  std::vector<std::string> urls;
  client::fetch_options fetch_options;
  client::client_options client_options;
  try {
    urls = read_urls(o);
    if (urls.empty()) throw std::invalid_argument("name at least one URL, or --input FILE");
    fetch_options = make_fetch_options(o.request);
    client_options = make_client_options(o.request);
    make_request(o.method, urls.front(), o.request);
  } catch (const std::exception& e) {
    err << "herald check: " << e.what() << '\n';
    return 2;
  }

  std::vector<checked> results(urls.size());
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex progress_lock;
  auto work = [&] {
    client::http_client http(client_options);
    discard sink;
    for (std::size_t i = next++; i < urls.size(); i = next++) {
      results[i].url = urls[i];
      results[i].result = client::fetch(http, make_request(o.method, urls[i], o.request), fetch_options, &sink);
      results[i].found = findings(results[i].result);
      std::size_t finished = ++done;
      if (progress && urls.size() > 1) {
        std::lock_guard lock(progress_lock);
        const std::size_t width = 30, filled = width * finished / urls.size();
        err << fmt::format("\r[{}{}] {}/{}", std::string(filled, '#'), std::string(width - filled, ' '), finished, urls.size()) << std::flush;
      }
    }
  };
  std::vector<std::thread> workers;
  for (unsigned t = 1; t < std::min<std::size_t>(o.concurrency, urls.size()); ++t) workers.emplace_back(work);
  work();
  for (std::thread& t : workers) t.join();
  if (progress && urls.size() > 1) err << '\n';

  int status = 0;
  std::map<std::string, int> summary;
  for (const checked& c : results) {
    const client::response_record* last = c.result.final_response();
    if (c.result.error || c.result.stopped || !last) {
      status = 3;
      ++summary[c.result.error ? "failed" : std::string(client::to_string(*c.result.stopped))];
      continue;
    }
    if (last->status / 100 != 2 && status == 0) status = 1;
    ++summary[std::to_string(last->status)];
  }

  if (o.request.json) {
    json all = json::array();
    for (const checked& c : results) all.push_back(to_json(c, o.method));
    out << json{{"results", all}, {"summary", summary}}.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
    return status;
  }
  painter paint(color);
  for (const checked& c : results) print_text(c, o, out, paint);
  if (results.size() > 1) {
    out << paint(fmt::emphasis::bold, "summary:");
    for (const auto& [what, count] : summary) out << fmt::format(" {}×{}", count, what);
    out << '\n';
  }
  return status;
}

}  // namespace herald::cli
