#include <herald/client/fetch.hpp>

#include <fmt/format.h>
#include <functional>
#include <random>
#include <thread>

#include <herald/core/auth_params.hpp>
#include <herald/core/digest_auth.hpp>
#include <herald/core/fields.hpp>
#include <herald/core/form.hpp>
#include <herald/core/syntax.hpp>
#include <herald/core/uri.hpp>

namespace herald::client {

namespace {

using core::syntax::iequals;
using core::syntax::quote;

// Passes the content of the chain's last response to the user's sink and drops the rest. What
// a response means is decided once, from its head, before any of its content arrives.
class gate final : public content_sink {
 public:
  gate(content_sink* user, std::function<bool(const response_record&)> leads_on)
      : user_(user), leads_on_(std::move(leads_on)) {}
  bool begin(const response_record& head) override {
    passing_ = !leads_on_(head);
    return passing_ ? user_->begin(head) : true;
  }
  bool write(std::string_view octets) override { return passing_ ? user_->write(octets) : true; }

 private:
  content_sink* user_;
  std::function<bool(const response_record&)> leads_on_;
  bool passing_ = false;
};


std::string random_cnonce() {
  std::random_device rd;
  return fmt::format("{:08x}{:08x}", rd(), rd());
}

}  // namespace

std::optional<std::string> answer_challenge(std::string_view value, const request_spec& r,
                                            const credentials& who, std::string_view cnonce,
                                            bool to_proxy) {
  std::optional<std::vector<core::challenge>> challenges = core::parse_challenges(value);
  if (!challenges) return std::nullopt;
  // Digest first: it never sends the password.
  for (const core::challenge& c : *challenges) {
    if (!iequals(c.scheme, "Digest")) continue;
    const std::string* realm = c.param("realm");
    const std::string* nonce = c.param("nonce");
    if (realm == nullptr || nonce == nullptr) continue;
    std::string algorithm = c.param("algorithm") ? *c.param("algorithm") : "MD5";
    if (!core::digest_hash(algorithm, "")) continue;
    // qop is a list; herald answers "auth" (RFC 7616 §3.3), or none for RFC 2069 servers.
    std::string qop;
    if (const std::string* offered = c.param("qop")) {
      if (!core::list_contains_token(*offered, "auth")) continue;
      qop = "auth";
    }
    core::uri_parse_result u = core::parse_uri(r.url);
    std::string uri = u.uri.path.empty() ? "/" : std::string(u.uri.path);
    if (u.uri.query) uri += fmt::format("?{}", *u.uri.query);
    if (to_proxy) uri = r.url.substr(0, r.url.find('#'));
    core::digest_input in;
    in.algorithm = algorithm;
    in.username = who.user;
    in.realm = *realm;
    in.password = who.password;
    in.nonce = *nonce;
    in.cnonce = cnonce;
    in.nc = "00000001";
    in.qop = qop;
    in.method = r.method;
    in.uri = uri;
    std::optional<std::string> response = core::digest_response(in);
    if (!response) continue;
    std::string out = fmt::format("Digest username={}, realm={}, nonce={}, uri={}, algorithm={}, response={}",
                                  quote(who.user), quote(*realm), quote(*nonce), quote(uri),
                                  algorithm, quote(*response));
    if (!qop.empty()) out += fmt::format(", qop={}, nc=00000001, cnonce={}", qop, quote(cnonce));
    if (const std::string* opaque = c.param("opaque")) out += fmt::format(", opaque={}", quote(*opaque));
    return out;
  }
  if (who.digest_only) return std::nullopt;
  for (const core::challenge& c : *challenges)
    if (iequals(c.scheme, "Basic"))
      return fmt::format("Basic {}", core::base64_encode(fmt::format("{}:{}", who.user, who.password)));
  return std::nullopt;
}

namespace {

// What one response means for the chain.
struct next_move {
  enum class kind { answer, resend_without_expect, answer_challenge, retry, redirect } what = kind::answer;
  std::string field;          // answer_challenge: Authorization or Proxy-Authorization
  std::string authorization;  // its value
  retry_decision retry;       // retry, or why not
  redirect_step step;         // redirect, and the step of a final 3xx
  std::string note;
};

std::string origin_of(const std::string& url) {
  core::uri_parse_result u = core::parse_uri(url);
  if (!u || !u.uri.authority) return url;
  core::uri_authority authority = *u.uri.authority;
  authority.userinfo.reset();
  return core::normalize(core::uri_reference{u.uri.scheme, authority, "/", std::nullopt, std::nullopt});
}

}  // namespace

fetch_result fetch(http_client& client, request_spec request, const fetch_options& o,
                   content_sink* sink) {
  fetch_result result;
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  };
  const unsigned max_hops = o.max_hops > 0 ? o.max_hops : default_max_hops(o.policy);
  redirect_tracker redirects(o.policy, max_hops, request);
  retry_tracker retries(o.retry);
  // Credentials go only to the origin they were given for, as curl does without
  // --location-trusted: a redirect elsewhere must not collect the password.
  const std::string trusted_origin = origin_of(request.url);
  bool challenge_left = o.auth.has_value();
  bool proxy_challenge_left = o.proxy_auth.has_value();
  bool expect_retried = false;

  // Decides, once per response, what it means; the gate asks before the content arrives.
  std::optional<next_move> decided;
  auto classify = [&](const response_record& r) {
    next_move m;
    // 417 to our own expectation: once more without it (RFC 9110 §10.1.1).
    if (r.status == 417 && request.may_expect && !expect_retried && !request.body.empty()) {
      m.what = next_move::kind::resend_without_expect;
      m.note = "417: sent again without Expect: 100-continue";
      return m;
    }
    // 401 and 407: answer the challenge once; a second one is final (RFC 9110 §15.5.2, §15.5.8).
    auto answer = [&](std::string_view challenge_field, std::string_view credentials_field,
                      const credentials& who, bool to_proxy) {
      for (std::string_view value : r.fields.values(challenge_field)) {
        std::optional<std::string> reply = answer_challenge(value, request, who, random_cnonce(), to_proxy);
        if (!reply) continue;
        m.what = next_move::kind::answer_challenge;
        m.field = std::string(credentials_field);
        m.authorization = std::move(*reply);
        m.note = fmt::format("{}: answered the {}{} challenge", r.status, to_proxy ? "proxy's " : "",
                             m.authorization.substr(0, m.authorization.find(' ')));
        return true;
      }
      m.note = fmt::format("{}: no {}challenge herald can answer with these credentials", r.status,
                           to_proxy ? "proxy " : "");
      return false;
    };
    if (r.status == 401 && challenge_left && origin_of(request.url) == trusted_origin) {
      challenge_left = false;
      if (answer("WWW-Authenticate", "Authorization", *o.auth, false)) return m;
    } else if (r.status == 401 && challenge_left) {
      m.note = "401 from another origin: the credentials are not sent there";
    }
    if (r.status == 407 && proxy_challenge_left) {
      proxy_challenge_left = false;
      if (answer("Proxy-Authenticate", "Proxy-Authorization", *o.proxy_auth, true)) return m;
    }
    m.retry = retries.after_status(r.status, r.fields.find("Retry-After"), request.method,
                                   std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()),
                                   elapsed());
    if (m.retry.retry) {
      m.what = next_move::kind::retry;
      return m;
    }
    if (o.follow) {
      m.step = redirects.next(request, r.status, r.fields.find("Location"));
      if (m.step.verdict == redirect_verdict::follow) m.what = next_move::kind::redirect;
    }
    return m;
  };
  gate content(sink, [&](const response_record& head) {
    decided = classify(head);
    return decided->what != next_move::kind::answer;
  });

  auto wait = [&](const retry_decision& d) {
    result.notes.push_back(fmt::format("retrying in {} ms: {}", d.wait.count(), d.reason));
    if (o.on_wait) o.on_wait(d.wait, d.reason);
    else std::this_thread::sleep_for(d.wait);
  };

  while (true) {
    hop h;
    h.request = request;
    decided.reset();
    try {
      response_record r = client.exchange(request, sink != nullptr ? &content : nullptr);
      h.response = std::move(r);
    } catch (const failure& f) {
      h.step.verdict = redirect_verdict::final;
      result.hops.push_back(std::move(h));
      retry_decision d = f.what_kind() == failure::kind::url
                             ? retry_decision{}
                             : retries.after_failure(request.method, !f.before_request(), f.what(), elapsed());
      if (d.retry) {
        wait(d);
        continue;
      }
      result.error = f;
      if (!d.reason.empty() && retries.retries() > 0) result.notes.push_back(d.reason);
      break;
    }
    next_move m = decided ? std::move(*decided) : classify(*h.response);
    if (!m.note.empty()) result.notes.push_back(m.note);
    h.step = m.step;
    switch (m.what) {
      case next_move::kind::resend_without_expect:
        expect_retried = true;
        request.may_expect = false;
        result.hops.push_back(std::move(h));
        continue;
      case next_move::kind::answer_challenge:
        request.fields.set(m.field, m.authorization);
        result.hops.push_back(std::move(h));
        continue;
      case next_move::kind::retry:
        result.hops.push_back(std::move(h));
        wait(m.retry);
        continue;
      case next_move::kind::redirect:
        request = m.step.next;
        result.hops.push_back(std::move(h));
        continue;
      case next_move::kind::answer:
        break;
    }
    if (!m.retry.reason.empty()) result.notes.push_back(m.retry.reason);
    const redirect_verdict verdict = m.step.verdict;
    result.hops.push_back(std::move(h));
    if (verdict != redirect_verdict::final && verdict != redirect_verdict::follow) result.stopped = verdict;
    break;
  }
  result.total = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  return result;
}

}  // namespace herald::client
