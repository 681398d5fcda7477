#include "cli/status_command.hpp"

#include <herald/core/status.hpp>
#include <herald/core/syntax.hpp>

#include <CLI/CLI.hpp>
#include <fmt/color.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <ostream>
#include <vector>

namespace herald::cli {

namespace {

using core::status_info;
using json = nlohmann::ordered_json;

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), core::syntax::is_digit);
}

int to_number(std::string_view digits) {
  int value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return ec == std::errc{} && end == digits.data() + digits.size() ? value : -1;
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = core::syntax::to_lower(c);
  return out;
}

bool contains_folded(std::string_view haystack, std::string_view lowered_needle) {
  return lowercase(haystack).find(lowered_needle) != std::string::npos;
}

const fmt::text_style dim = fmt::emphasis::faint;
const fmt::text_style label = fmt::emphasis::bold;

class status_printer {
 public:
  status_printer(const status_options& options, std::ostream& out, bool color)
      : zh_(options.lang == "zh"), out_(out), paint_(color) {}

  std::string_view summary(const status_info& s) const { return zh_ ? s.summary_zh : s.summary_en; }
  std::string_view summary(const core::status_class_info& c) const {
    return zh_ ? c.summary_zh : c.summary_en;
  }
  std::string_view meaning(const core::iis_substatus& s) const {
    return zh_ ? s.meaning_zh : s.meaning_en;
  }

  // One line per meaning, as in listings and search results.
  void row(const status_info& s) {
    std::string note;
    if (s.standing == core::status_standing::unofficial)
      note = fmt::format("unofficial · {}", s.origin);
    else if (s.standing != core::status_standing::current)
      note = std::string(core::to_string(s.standing));
    out_ << "  " << paint_(status_style(s.code), fmt::format("{}", s.code)) << "  ";
    if (note.empty())
      out_ << s.reason << '\n';
    else
      out_ << fmt::format("{:<34}", s.reason) << paint_(dim, note) << '\n';
  }

  void code(int code) {
    auto all = core::meanings(code);
    const status_info& s = all.front();
    out_ << paint_(status_style(code), fmt::format("{} {}", s.code, s.reason)) << '\n';
    field("class", fmt::format("{}xx {}", code / 100, core::to_string(s.klass())));
    field("standing", fmt::format("{}{}", core::to_string(s.standing),
                                  s.official() ? "" : fmt::format(" ({})", s.origin)));
    field("defined in", s.reference);
    std::vector<std::string_view> former;
    for (std::string_view r : s.former_reasons)
      if (!r.empty()) former.push_back(r);
    if (!former.empty()) field("formerly", fmt::format("{}", fmt::join(former, ", ")));
    field("cacheable", s.heuristically_cacheable
                           ? "yes, heuristically, without explicit freshness (RFC 9110 §15.1)"
                           : "only with explicit freshness information (RFC 9111 §3)");
    field("content", core::content_forbidden(code) ? "never (no content in this response)"
                                                   : "allowed");
    if (!s.required_fields.empty()) field("must send", fields(s.required_fields));
    if (!s.recommended_fields.empty()) field("should send", fields(s.recommended_fields));
    field("a client", core::to_string(s.reaction));
    out_ << '\n' << "  " << summary(s) << '\n';

    if (all.size() > 1) {
      out_ << '\n' << paint_(label, "Also used as") << '\n';
      for (const status_info& other : all.subspan(1)) {
        row(other);
        out_ << "        " << summary(other) << '\n';
      }
    }
    auto subs = core::iis_substatuses_of(code);
    if (!subs.empty()) {
      out_ << '\n' << paint_(label, "IIS sub-status codes") << '\n';
      for (const core::iis_substatus& sub : subs)
        out_ << "  " << fmt::format("{:<8}", fmt::format("{}.{}", sub.code, sub.sub))
             << meaning(sub) << '\n';
    }
  }

  void status_class(core::status_class c) {
    const auto& info = core::info(c);
    int first = static_cast<int>(c) * 100;
    out_ << paint_(status_style(first), fmt::format("{}xx {}", first / 100, info.name)) << "  "
         << paint_(dim, info.reference) << '\n'
         << "  " << summary(info) << '\n'
         << "  " << fmt::format("A client that does not recognise a {}xx code treats it as {}.",
                                first / 100, first)
         << "\n\n";
    for (const status_info& s : core::all_statuses())
      if (s.code / 100 == first / 100) row(s);
  }

  void iis(const core::iis_substatus& sub) {
    out_ << paint_(status_style(sub.code), fmt::format("{}.{}", sub.code, sub.sub)) << "  "
         << meaning(sub) << '\n';
    const status_info* parent = core::find_status(sub.code);
    field("sent as", fmt::format("{} {}", sub.code, parent != nullptr ? parent->reason : ""));
    field("origin", "Microsoft IIS: a sub-status appears in IIS logs (sc-substatus) and detailed "
                    "error pages, never on the wire");
  }

  // One Markdown table row per meaning: the README's status table comes from here.
  static void markdown_header(std::ostream& out) {
    out << "| code | reason | defined in | standing | a client |\n"
           "|---|---|---|---|---|\n";
  }
  void markdown_row(const status_info& s) {
    std::string standing(core::to_string(s.standing));
    if (!s.official()) standing = fmt::format("unofficial ({})", s.origin);
    out_ << fmt::format("| {} | {} | {} | {} | {} |\n", s.code, s.reason, s.reference, standing,
                        core::to_string(s.reaction));
  }

  void list() {
    int current_class = 0;
    for (const status_info& s : core::all_statuses()) {
      if (s.code / 100 != current_class) {
        current_class = s.code / 100;
        if (s.code >= 200) out_ << '\n';
        out_ << paint_(label, fmt::format("{}xx {}", current_class,
                                          core::to_string(s.klass())))
             << '\n';
      }
      row(s);
    }
  }

  void unknown(int code) {
    int fallback = code / 100 * 100;
    out_ << paint_(status_style(code), fmt::format("{}", code))
         << " is not a code herald knows: it is unassigned in the IANA registry.\n"
         << fmt::format("RFC 9110 §15: a client that does not recognise it treats it as {} {}, "
                        "the x00 code of its class ({}xx {}).\n",
                        fallback, core::reason_phrase(fallback), code / 100,
                        core::to_string(*core::class_of(code)))
         << "How a client reacts: "
         << core::to_string(core::reaction_to(code)) << ".\n";
  }

 private:
  void field(std::string_view name, std::string_view value) {
    out_ << "  " << paint_(label, fmt::format("{:<12}", name)) << value << '\n';
  }

  static std::string fields(core::response_fields set) {
    std::vector<std::string_view> names;
    for (int bit = 0; bit < core::response_field_count; ++bit) {
      auto f = static_cast<core::response_field>(1u << bit);
      if (set.contains(f)) names.push_back(core::to_string(f));
    }
    return fmt::format("{}", fmt::join(names, ", "));
  }

  bool zh_;
  std::ostream& out_;
  painter paint_;
};

json fields_json(core::response_fields set) {
  json names = json::array();
  for (int bit = 0; bit < core::response_field_count; ++bit) {
    auto f = static_cast<core::response_field>(1u << bit);
    if (set.contains(f)) names.push_back(core::to_string(f));
  }
  return names;
}

json to_json(const status_info& s, bool zh) {
  json former = json::array();
  for (std::string_view r : s.former_reasons)
    if (!r.empty()) former.push_back(r);
  json j;
  j["code"] = s.code;
  j["reason"] = s.reason;
  j["class"] = core::to_string(s.klass());
  j["standing"] = core::to_string(s.standing);
  j["origin"] = s.official() ? json(nullptr) : json(s.origin);
  j["reference"] = s.reference;
  j["former_reasons"] = former;
  j["heuristically_cacheable"] = s.heuristically_cacheable;
  j["content_forbidden"] = core::content_forbidden(s.code);
  j["required_fields"] = fields_json(s.required_fields);
  j["recommended_fields"] = fields_json(s.recommended_fields);
  j["client_reaction"] = core::identifier(s.reaction);
  j["summary"] = zh ? s.summary_zh : s.summary_en;
  return j;
}

json to_json(const core::iis_substatus& sub, bool zh) {
  json j;
  j["code"] = fmt::format("{}.{}", sub.code, sub.sub);
  j["status"] = sub.code;
  j["substatus"] = sub.sub;
  j["meaning"] = zh ? sub.meaning_zh : sub.meaning_en;
  return j;
}

std::vector<const status_info*> search_statuses(std::string_view words) {
  std::vector<std::string> terms;
  std::string_view rest = words;
  while (!rest.empty()) {
    auto space = rest.find(' ');
    std::string_view term = rest.substr(0, space);
    if (!term.empty()) terms.push_back(lowercase(term));
    rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
  }
  std::vector<const status_info*> found;
  for (const status_info& s : core::all_statuses()) {
    auto matches = [&](const std::string& term) {
      if (contains_folded(s.reason, term) || contains_folded(s.origin, term) ||
          contains_folded(s.summary_en, term) || contains_folded(s.summary_zh, term))
        return true;
      return std::any_of(s.former_reasons.begin(), s.former_reasons.end(),
                         [&](std::string_view r) { return contains_folded(r, term); });
    };
    if (!terms.empty() && std::all_of(terms.begin(), terms.end(), matches)) found.push_back(&s);
  }
  return found;
}

}  // namespace

status_query classify_status_query(std::string_view query) {
  using kind = status_query::kind;
  std::string_view q = core::syntax::trim_ows(query);
  if (q.empty()) return {kind::list, 0, 0, {}};
  if (q.size() == 3 && core::syntax::is_digit(q[0]) && (q[1] == 'x' || q[1] == 'X') &&
      (q[2] == 'x' || q[2] == 'X')) {
    int digit = q[0] - '0';
    if (digit < 1 || digit > 5)
      return {kind::invalid, 0, 0, fmt::format("{}: status classes are 1xx to 5xx", q)};
    return {kind::status_class, digit, 0, {}};
  }
  if (auto dot = q.find('.'); dot != std::string_view::npos && all_digits(q.substr(0, dot)) &&
                              all_digits(q.substr(dot + 1))) {
    int code = dot == 3 ? to_number(q.substr(0, dot)) : -1;
    int sub = q.size() - dot - 1 <= 3 ? to_number(q.substr(dot + 1)) : -1;
    if (code < 100 || code > 599 || sub < 0)
      return {kind::invalid, 0, 0, fmt::format("{}: IIS sub-status codes look like 404.3", q)};
    return {kind::iis_substatus, code, sub, {}};
  }
  if (all_digits(q)) {
    int code = q.size() == 3 ? to_number(q) : -1;
    if (code < 100 || code > 599)
      return {kind::invalid, 0, 0,
              fmt::format("{} is not a status code: a status code is three digits, 100 to 599 "
                          "(RFC 9110 §15)",
                          q)};
    return {kind::code, code, 0, {}};
  }
  return {kind::search, 0, 0, std::string(q)};
}

int run_status(const status_options& options, std::ostream& out, std::ostream& err,
               bool color) {
  using kind = status_query::kind;
  const bool zh = options.lang == "zh";
  status_query query = options.list ? status_query{} : classify_status_query(options.query);
  status_printer print(options, out, color);

  switch (query.what) {
    case kind::invalid:
      err << "herald status: " << query.text << '\n';
      return 2;

    case kind::list:
      if (options.markdown) {
        status_printer::markdown_header(out);
        for (const status_info& s : core::all_statuses()) print.markdown_row(s);
      } else if (options.json) {
        json all = json::array();
        for (const status_info& s : core::all_statuses()) all.push_back(to_json(s, zh));
        out << all.dump(2) << '\n';
      } else {
        print.list();
      }
      return 0;

    case kind::code: {
      auto all = core::meanings(query.code);
      if (all.empty()) {
        if (options.json) {
          json j;
          j["code"] = query.code;
          j["known"] = false;
          j["treated_as"] = query.code / 100 * 100;
          j["client_reaction"] = core::identifier(core::reaction_to(query.code));
          out << j.dump(2) << '\n';
        } else {
          print.unknown(query.code);
        }
        return 1;
      }
      if (options.json) {
        json j = to_json(all.front(), zh);
        json others = json::array();
        for (const status_info& s : all.subspan(1)) others.push_back(to_json(s, zh));
        j["other_meanings"] = others;
        json subs = json::array();
        for (const auto& sub : core::iis_substatuses_of(query.code)) subs.push_back(to_json(sub, zh));
        j["iis_substatuses"] = subs;
        out << j.dump(2) << '\n';
      } else {
        print.code(query.code);
      }
      return 0;
    }

    case kind::status_class: {
      auto c = static_cast<core::status_class>(query.code);
      if (options.markdown) {
        status_printer::markdown_header(out);
        for (const status_info& s : core::all_statuses())
          if (s.code / 100 == query.code) print.markdown_row(s);
      } else if (options.json) {
        const auto& info = core::info(c);
        json j;
        j["class"] = fmt::format("{}xx", query.code);
        j["name"] = info.name;
        j["reference"] = info.reference;
        j["summary"] = zh ? info.summary_zh : info.summary_en;
        json codes = json::array();
        for (const status_info& s : core::all_statuses())
          if (s.code / 100 == query.code) codes.push_back(to_json(s, zh));
        j["codes"] = codes;
        out << j.dump(2) << '\n';
      } else {
        print.status_class(c);
      }
      return 0;
    }

    case kind::iis_substatus: {
      const core::iis_substatus* sub = core::find_iis_substatus(query.code, query.sub);
      if (sub == nullptr) {
        err << fmt::format("herald status: {}.{} is not a documented IIS sub-status code\n",
                           query.code, query.sub);
        return 1;
      }
      if (options.json)
        out << to_json(*sub, zh).dump(2) << '\n';
      else
        print.iis(*sub);
      return 0;
    }

    case kind::search: {
      auto found = search_statuses(query.text);
      if (options.json) {
        json matches = json::array();
        for (const status_info* s : found) matches.push_back(to_json(*s, zh));
        out << json{{"query", query.text}, {"matches", matches}}.dump(2) << '\n';
      } else if (!found.empty()) {
        for (const status_info* s : found) print.row(*s);
      }
      if (found.empty()) {
        err << fmt::format("herald status: no status code matches \"{}\"\n", query.text);
        return 1;
      }
      return 0;
    }
  }
  return 2;
}

void add_status_command(CLI::App& app, status_options& options) {
  CLI::App* cmd = app.add_subcommand(
      "status", "Explain a status code, a class (4xx), an IIS sub-status (404.3), or search");
  cmd->add_option("query", options.query, "404, 4xx, 404.3, or words such as teapot");
  cmd->add_flag("--list", options.list, "List every code herald knows");
  auto* json = cmd->add_flag("--json", options.json, "Print JSON instead of text");
  cmd->add_flag("--markdown", options.markdown, "Print a Markdown table (with --list or a class)")
      ->excludes(json);
  cmd->add_option("--lang", options.lang, "Language of the descriptions")
      ->check(CLI::IsMember({"en", "zh"}));
  cmd->add_option("--color", options.color, "Colour: auto (on a terminal), always, never")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, color_mode>{{"auto", color_mode::automatic},
                                            {"always", color_mode::always},
                                            {"never", color_mode::never}},
          CLI::ignore_case));
}

}  // namespace herald::cli
