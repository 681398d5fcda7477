#include <herald/core/status.hpp>

#include <algorithm>
#include <utility>

namespace herald::core {

namespace {

using enum response_field;
using enum client_reaction;
using enum status_standing;

// The tables are data; everything else in this file is derived from them and checked at
// compile time (sorted, one IANA meaning first, in range).
#include "status_table.inc"
#include "iis_substatus_table.inc"

constexpr int first_code = 100;
constexpr int last_code = 599;

struct slot {
  std::uint16_t first = 0;
  std::uint8_t count = 0;
};

constexpr std::array<slot, last_code - first_code + 1> build_index() {
  std::array<slot, last_code - first_code + 1> index{};
  for (std::size_t i = 0; i < status_table.size(); ++i) {
    slot& s = index[status_table[i].code - first_code];
    if (s.count == 0) s.first = static_cast<std::uint16_t>(i);
    ++s.count;
  }
  return index;
}

constexpr bool table_is_well_formed() {
  for (std::size_t i = 0; i < status_table.size(); ++i) {
    const status_info& e = status_table[i];
    if (e.code < first_code || e.code > last_code || e.reason.empty()) return false;
    if (e.summary_en.empty() || e.summary_zh.empty()) return false;
    if (i == 0) continue;
    const status_info& prev = status_table[i - 1];
    if (prev.code > e.code) return false;
    // Where a code has several meanings, the IANA one comes first.
    if (prev.code == e.code && e.official()) return false;
  }
  return true;
}
static_assert(table_is_well_formed(), "status_table must be sorted by code, IANA meaning first");

constexpr bool iis_table_is_sorted() {
  for (std::size_t i = 1; i < iis_substatus_table.size(); ++i) {
    const auto& a = iis_substatus_table[i - 1];
    const auto& b = iis_substatus_table[i];
    if (std::pair{a.code, a.sub} >= std::pair{b.code, b.sub}) return false;
  }
  return true;
}
static_assert(iis_table_is_sorted(), "iis_substatus_table must be sorted by (code, sub), no repeats");

constexpr auto status_index = build_index();

constexpr std::array<status_class_info, 5> class_table{{
    {status_class::informational, "Informational", "RFC 9110 §15.2",
     "The request was received and is being processed: an interim response, sent before the "
     "final one.",
     "请求已收到，仍在处理中：这是在最终响应之前发送的临时响应。"},
    {status_class::successful, "Successful", "RFC 9110 §15.3",
     "The request was received, understood and accepted.", "请求已被成功接收、理解并接受。"},
    {status_class::redirection, "Redirection", "RFC 9110 §15.4",
     "The user agent must take further action to complete the request.",
     "用户代理需要采取进一步的操作才能完成请求。"},
    {status_class::client_error, "Client Error", "RFC 9110 §15.5",
     "The request has bad syntax or cannot be fulfilled; the client should not repeat it "
     "unchanged.",
     "请求有语法错误或无法被满足；客户端不应原样重复该请求。"},
    {status_class::server_error, "Server Error", "RFC 9110 §15.6",
     "The server is aware that it failed, or cannot perform the request.",
     "服务器知道自己出错了，或无法执行该请求。"},
}};

}  // namespace

std::span<const status_info> all_statuses() { return status_table; }

std::span<const status_info> meanings(int code) {
  if (code < first_code || code > last_code) return {};
  const slot& s = status_index[static_cast<std::size_t>(code - first_code)];
  return std::span<const status_info>(status_table).subspan(s.first, s.count);
}

const status_info* find_status(int code) {
  auto all = meanings(code);
  return all.empty() ? nullptr : &all.front();
}

std::string_view reason_phrase(int code) {
  if (const status_info* info = find_status(code)) return info->reason;
  if (auto fallback = effective_code(code))
    if (const status_info* info = find_status(*fallback)) return info->reason;
  return {};
}

client_reaction reaction_to(int code) {
  if (const status_info* info = find_status(code)) return info->reaction;
  if (auto fallback = effective_code(code))
    if (const status_info* info = find_status(*fallback)) return info->reaction;
  return fail;
}

std::span<const iis_substatus> all_iis_substatuses() { return iis_substatus_table; }

std::span<const iis_substatus> iis_substatuses_of(int code) {
  auto first = std::lower_bound(iis_substatus_table.begin(), iis_substatus_table.end(), code,
                                [](const iis_substatus& e, int c) { return e.code < c; });
  auto last = std::upper_bound(first, iis_substatus_table.end(), code,
                               [](int c, const iis_substatus& e) { return c < e.code; });
  return {first, last};
}

const iis_substatus* find_iis_substatus(int code, int sub) {
  for (const iis_substatus& e : iis_substatuses_of(code))
    if (e.sub == sub) return &e;
  return nullptr;
}

const status_class_info& info(status_class c) {
  return class_table[static_cast<std::size_t>(c) - 1];
}

std::string_view to_string(status_class c) { return info(c).name; }

std::string_view to_string(status_standing s) {
  switch (s) {
    case current: return "current";
    case deprecated: return "deprecated";
    case unused: return "unused";
    case obsoleted: return "obsoleted";
    case unofficial: return "unofficial";
  }
  return "unknown";
}

std::string_view to_string(response_field f) {
  switch (f) {
    case location: return "Location";
    case allow: return "Allow";
    case www_authenticate: return "WWW-Authenticate";
    case proxy_authenticate: return "Proxy-Authenticate";
    case content_range: return "Content-Range";
    case retry_after: return "Retry-After";
    case upgrade: return "Upgrade";
    case link_blocked_by: return "Link (rel=\"blocked-by\")";
    case accept: return "Accept";
    case accept_encoding: return "Accept-Encoding";
    case content_location: return "Content-Location";
    case etag: return "ETag";
    case date: return "Date";
    case vary: return "Vary";
    case cache_control: return "Cache-Control";
    case expires: return "Expires";
  }
  return "";
}

std::string_view to_string(client_reaction r) {
  switch (r) {
    case await_final: return "interim response: keep reading for the final one";
    case switch_protocol: return "the connection switches to the protocol named in Upgrade";
    case succeed: return "success: use the response";
    case choose_variant: return "follow Location only if the server names a preferred choice";
    case follow_post_to_get: return "follow Location; POST becomes GET, other methods are kept";
    case follow_as_get: return "follow Location with GET (HEAD stays HEAD), dropping the content";
    case follow_same_method: return "follow Location with the same method and content";
    case never_follow: return "never follow automatically";
    case use_cached: return "use the cached representation, which is still valid";
    case answer_challenge: return "answer the WWW-Authenticate challenge once, with credentials";
    case answer_proxy_challenge: return "answer the Proxy-Authenticate challenge once, with credentials";
    case retry_idempotent: return "retry on a new connection if the method is idempotent";
    case retry_without_expect: return "retry once without the Expect field";
    case retry_after_handshake: return "retry once the TLS handshake has completed";
    case retry_later: return "wait as Retry-After says (or back off), then retry";
    case retry_new_connection: return "retry on a connection to the right origin";
    case fail: return "failure: show the content to the user";
  }
  return "";
}

std::string_view identifier(client_reaction r) {
  switch (r) {
    case await_final: return "await_final";
    case switch_protocol: return "switch_protocol";
    case succeed: return "succeed";
    case choose_variant: return "choose_variant";
    case follow_post_to_get: return "follow_post_to_get";
    case follow_as_get: return "follow_as_get";
    case follow_same_method: return "follow_same_method";
    case never_follow: return "never_follow";
    case use_cached: return "use_cached";
    case answer_challenge: return "answer_challenge";
    case answer_proxy_challenge: return "answer_proxy_challenge";
    case retry_idempotent: return "retry_idempotent";
    case retry_without_expect: return "retry_without_expect";
    case retry_after_handshake: return "retry_after_handshake";
    case retry_later: return "retry_later";
    case retry_new_connection: return "retry_new_connection";
    case fail: return "fail";
  }
  return "";
}

}  // namespace herald::core
