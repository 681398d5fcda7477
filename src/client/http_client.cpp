#include <herald/client/http_client.hpp>

#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <fmt/format.h>
#include <map>

#include <herald/client/retry.hpp>
#include <herald/core/content_coding.hpp>
#include <herald/core/form.hpp>
#include <herald/core/syntax.hpp>
#include <herald/core/uri.hpp>
#include <herald/http1/error.hpp>
#include <herald/http1/parser.hpp>
#include <herald/http1/serializer.hpp>

namespace herald::client {

namespace {

constexpr auto nothrow = asio::experimental::as_tuple(asio::use_awaitable);
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

std::chrono::microseconds since(steady::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - t);
}

struct target {
  bool tls = false;
  std::string host;        // for the resolver: no brackets
  std::string host_field;  // the Host field: the authority without userinfo or default port
  std::uint16_t port = 80;
  std::string request_target;  // path and query, "/" for an empty path
  std::string origin;          // scheme://host:port, the pool's key
};

target parse_target(const std::string& url) {
  core::uri_parse_result parsed = core::parse_uri(url);
  if (!parsed || !parsed.uri.authority || parsed.uri.authority->host.empty())
    throw failure(failure::kind::url, fmt::format("{}: not an absolute http or https URL", url));
  const core::uri_reference& u = parsed.uri;
  target t;
  if (core::syntax::iequals(*u.scheme, "https")) t.tls = true;
  else if (!core::syntax::iequals(*u.scheme, "http"))
    throw failure(failure::kind::url, fmt::format("{}: only http and https are supported", url));
  const core::uri_authority& a = *u.authority;
  t.host = std::string(core::host_address(a));
  t.port = a.port.value_or(t.tls ? 443 : 80);
  t.host_field = std::string(a.host);
  if (a.port && *a.port != (t.tls ? 443 : 80)) t.host_field += fmt::format(":{}", *a.port);
  t.request_target = u.path.empty() ? "/" : std::string(u.path);
  if (u.query) t.request_target += "?" + std::string(*u.query);
  t.origin = fmt::format("{}://{}:{}", t.tls ? "https" : "http", t.host, t.port);
  return t;
}

// One connection, plain or TLS.
struct connection {
  std::optional<tcp::socket> plain;
  std::optional<asio::ssl::stream<tcp::socket>> secure;
  std::string buffer;  // received octets not yet parsed

  tcp::socket& raw() { return secure ? secure->next_layer() : *plain; }

  asio::awaitable<std::size_t> read_some(char* data, std::size_t size, asio::error_code& ec) {
    std::size_t n = 0;
    if (secure) std::tie(ec, n) = co_await secure->async_read_some(asio::buffer(data, size), nothrow);
    else std::tie(ec, n) = co_await plain->async_read_some(asio::buffer(data, size), nothrow);
    co_return n;
  }
  asio::awaitable<void> write(std::string_view octets, asio::error_code& ec) {
    std::size_t n = 0;
    if (secure) std::tie(ec, n) = co_await asio::async_write(*secure, asio::buffer(octets), nothrow);
    else std::tie(ec, n) = co_await asio::async_write(*plain, asio::buffer(octets), nothrow);
  }
};

// Cancels the connection's operations when a deadline passes. Shared with its waiting
// coroutine, which may resume after the exchange ended.
struct watch : std::enable_shared_from_this<watch> {
  explicit watch(asio::io_context& io) : timer(io) {}
  asio::steady_timer timer;
  steady::time_point deadline = steady::time_point::max();
  steady::time_point limit = steady::time_point::max();
  connection* target = nullptr;
  bool fired = false;
  bool done = false;

  void start() {
    asio::co_spawn(timer.get_executor(), [self = shared_from_this()] { return self->run(); },
                   asio::detached);
  }
  // Every deadline falls within `limit`, the whole exchange's (client_options::total_timeout).
  void arm(std::chrono::milliseconds after) {
    deadline = std::min(steady::now() + after, limit);
    fired = false;
    timer.cancel();
  }
  void disarm() {
    deadline = limit;
    timer.cancel();
  }
  void stop() {
    done = true;
    timer.cancel();
  }
  asio::awaitable<void> run() {
    while (!done) {
      timer.expires_at(deadline);
      co_await timer.async_wait(nothrow);
      if (done) break;
      if (steady::now() >= deadline && target != nullptr) {
        fired = true;
        deadline = steady::time_point::max();
        asio::error_code ec;
        target->raw().cancel(ec);
      }
    }
  }
};

struct watch_scope {
  std::shared_ptr<watch> w;
  ~watch_scope() { w->stop(); }
};

// A reused connection that ended before any response octet: the server closed it while it
// was idle, and the request may go again on a fresh one.
struct stale_connection {};

std::string describe(const asio::error_code& ec) { return ec.message(); }

}  // namespace

struct http_client::impl {
  explicit impl(client_options o) : opts(std::move(o)), tls(asio::ssl::context::tls_client) {
    asio::error_code ec;
    tls.set_default_verify_paths(ec);
    if (!opts.proxy.empty()) {
      proxy = parse_target(opts.proxy);
      if (proxy->tls) throw failure(failure::kind::url, opts.proxy + ": herald speaks to proxies over http only");
    }
    if (!opts.proxy_user.empty()) proxy_authorization = "Basic " + core::base64_encode(opts.proxy_user);
  }

  client_options opts;
  std::optional<target> proxy;
  std::string proxy_authorization;
  asio::io_context io;
  asio::ssl::context tls;
  std::map<std::string, std::vector<std::unique_ptr<connection>>> idle;

  std::unique_ptr<connection> take_idle(const std::string& origin) {
    auto it = idle.find(origin);
    if (it == idle.end() || it->second.empty()) return nullptr;
    std::unique_ptr<connection> c = std::move(it->second.back());
    it->second.pop_back();
    return c;
  }

  asio::awaitable<std::unique_ptr<connection>> open(const target& t, exchange_timings& time,
                                                    watch& w) {
    auto c = std::make_unique<connection>();
    c->plain.emplace(io);
    w.target = c.get();
    const auto start = steady::now();
    w.arm(opts.connect_timeout);
    const target& first = proxy ? *proxy : t;
    tcp::resolver resolver(io);
    auto [resolve_ec, endpoints] =
        co_await resolver.async_resolve(first.host, std::to_string(first.port), nothrow);
    if (resolve_ec)
      throw failure(failure::kind::resolve, fmt::format("cannot resolve {}: {}", first.host, describe(resolve_ec)));
    auto [connect_ec, endpoint] = co_await asio::async_connect(*c->plain, endpoints, nothrow);
    if (connect_ec) {
      if (w.fired)
        throw failure(failure::kind::timeout, fmt::format("connecting to {}:{} took longer than {} ms", first.host, first.port, opts.connect_timeout.count()));
      throw failure(failure::kind::connect, fmt::format("cannot connect to {}:{}: {}", first.host, first.port, describe(connect_ec)));
    }
    asio::error_code ignored;
    c->plain->set_option(tcp::no_delay(true), ignored);
    if (proxy && t.tls) co_await tunnel(*c, t, w);
    time.connect = since(start);
    if (t.tls) {
      const auto tls_start = steady::now();
      tcp::socket socket = std::move(*c->plain);
      c->plain.reset();
      c->secure.emplace(std::move(socket), tls);
      w.target = c.get();
      // SNI names a host, never an address (RFC 6066 §3).
      core::uri_authority_result authority = core::parse_authority(t.host);
      if (authority && authority.authority.kind == core::host_kind::reg_name)
        SSL_set_tlsext_host_name(c->secure->native_handle(), t.host.c_str());
      if (opts.insecure) {
        c->secure->set_verify_mode(asio::ssl::verify_none);
      } else {
        // RFC 6125 through OpenSSL: a failed check sets X509_V_ERR_HOSTNAME_MISMATCH (or
        // IP_ADDRESS_MISMATCH), which the error below names.
        c->secure->set_verify_mode(asio::ssl::verify_peer);
        if (authority && authority.authority.kind == core::host_kind::reg_name)
          SSL_set1_host(c->secure->native_handle(), t.host.c_str());
        else
          X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->secure->native_handle()), t.host.c_str());
      }
      auto [handshake_ec] = co_await c->secure->async_handshake(asio::ssl::stream_base::client, nothrow);
      if (handshake_ec) {
        if (w.fired) throw failure(failure::kind::timeout, fmt::format("the TLS handshake with {} timed out", t.host));
        long verify = SSL_get_verify_result(c->secure->native_handle());
        std::string why = verify != X509_V_OK ? X509_verify_cert_error_string(verify) : describe(handshake_ec);
        throw failure(failure::kind::tls, fmt::format("TLS with {} failed: {}", t.host, why));
      }
      time.tls = since(tls_start);
    }
    w.disarm();
    co_return c;
  }

  // RFC 9110 §9.3.6: CONNECT host:port; a 2xx makes the connection a tunnel to the origin.
  asio::awaitable<void> tunnel(connection& c, const target& t, watch& w) {
    std::string authority = fmt::format("{}:{}", t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host, t.port);
    std::string request = fmt::format("CONNECT {0} HTTP/1.1\r\nHost: {0}\r\n", authority);
    if (!proxy_authorization.empty()) request += "Proxy-Authorization: " + proxy_authorization + "\r\n";
    request += "\r\n";
    asio::error_code ec;
    co_await c.write(request, ec);
    if (ec) throw failure(failure::kind::connect, fmt::format("the proxy closed the connection: {}", describe(ec)));
    http1::response_parser parser;
    while (true) {
      http1::parse_result parsed = parser.parse(c.buffer, "CONNECT");
      if (parsed.state == http1::parse_state::rejected)
        throw failure(failure::kind::connect, fmt::format("the proxy's answer to CONNECT is malformed: {}", http1::sentence(parsed.failure)));
      if (parsed.state == http1::parse_state::complete) {
        const http1::response_head& h = parser.head();
        if (h.status / 100 != 2)
          throw failure(failure::kind::connect, fmt::format("the proxy refused the tunnel to {}: {} {}", authority, h.status, h.reason));
        c.buffer.erase(0, parsed.consumed);
        co_return;
      }
      co_await read_more(c, w, false, false, "the proxy's answer to CONNECT");
    }
  }

  // Reads until the buffer holds a whole final head; interim responses are recorded and
  // consumed. `expect_pending`: the content waits for 100 or for the expect timeout.
  asio::awaitable<void> read_more(connection& c, watch& w, bool any_received,
                                  bool reused, std::string_view what) {
    char chunk[16384];
    asio::error_code ec;
    std::size_t n = co_await c.read_some(chunk, sizeof chunk, ec);
    if (ec || n == 0) {
      if (w.fired) throw failure(failure::kind::timeout, fmt::format("{} timed out", what));
      if (reused && !any_received) throw stale_connection{};
      if (ec == asio::error::eof || n == 0)
        throw failure(failure::kind::incomplete, fmt::format("the server closed the connection during {}", what));
      throw failure(failure::kind::io, fmt::format("reading {}: {}", what, describe(ec)));
    }
    c.buffer.append(chunk, n);
  }

  asio::awaitable<response_record> converse(connection& c, const target& t, const request_spec& r,
                                            content_sink* sink, bool reused, watch& w,
                                            steady::time_point start, bool& reusable) {
    response_record out;
    out.reused_connection = reused;
    reusable = false;
    w.target = &c;

    core::fields fields = r.fields;
    if (!fields.find("User-Agent") && !opts.user_agent.empty()) fields.add("User-Agent", opts.user_agent);
    if (!fields.find("Accept")) fields.add("Accept", "*/*");
    if (opts.decode_content && !fields.find("Accept-Encoding"))
      fields.add("Accept-Encoding", "gzip, deflate, br, zstd");
    bool expect = !r.body.empty() && r.may_expect &&
                  (r.body.size() >= opts.expect_threshold ||
                   fields.contains_token("Expect", "100-continue"));
    if (!r.may_expect) fields.erase("Expect");
    if (expect && !fields.find("Expect")) fields.add("Expect", "100-continue");
    // RFC 9110 §8.6: a POST or PUT without content still says so with Content-Length: 0.
    const bool length_needed = !r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
    // Through a proxy, an http request names its whole URL (RFC 9112 §3.2.2); an https one
    // goes through the tunnel as to the origin.
    const bool absolute_form = proxy && !t.tls;
    if (absolute_form && !proxy_authorization.empty() && !fields.find("Proxy-Authorization"))
      fields.add("Proxy-Authorization", proxy_authorization);
    const std::string request_target =
        absolute_form ? fmt::format("http://{}{}", t.host_field, t.request_target) : t.request_target;
    // A Host the user set names the origin instead of the URL's (as curl does: virtual hosts).
    std::string host_field = t.host_field;
    if (std::optional<std::string_view> host = fields.find("Host")) {
      host_field = std::string(*host);
      fields.erase("Host");
    }
    std::string head;
    std::optional<http1::serialize_error> bad = http1::serialize_request_head(
        r.method, request_target, host_field, fields,
        length_needed ? http1::content_size::known(r.body.size()) : http1::content_size::empty(), head);
    if (bad) throw failure(failure::kind::url, fmt::format("cannot send this request: {}", http1::describe(*bad)));

    asio::error_code ec;
    w.arm(opts.header_timeout);
    if (!expect) head += r.body;
    co_await c.write(head, ec);
    if (ec) {
      if (reused) throw stale_connection{};
      throw failure(failure::kind::io, fmt::format("sending the request: {}", describe(ec)));
    }
    bool content_pending = expect;
    if (content_pending) w.arm(opts.expect_timeout);

    http1::limits limits;
    http1::response_parser parser(limits);
    bool any_received = !c.buffer.empty();
    while (true) {
      http1::parse_result parsed = parser.parse(c.buffer, r.method);
      if (parsed.state == http1::parse_state::rejected)
        throw failure(failure::kind::protocol, fmt::format("the response is malformed: {}", http1::sentence(parsed.failure)));
      if (parsed.state == http1::parse_state::need_more) {
        bool expect_expired = false;
        try {
          co_await read_more(c, w, any_received, reused, "the response head");
        } catch (const failure&) {
          if (!(content_pending && w.fired)) throw;
          expect_expired = true;
        }
        if (expect_expired) {
          // RFC 9110 §10.1.1: no 100 in time, so the content goes anyway.
          content_pending = false;
          w.arm(opts.header_timeout);
          co_await c.write(r.body, ec);
          if (ec) throw failure(failure::kind::io, fmt::format("sending the content: {}", describe(ec)));
        }
        any_received = !c.buffer.empty();
        continue;
      }
      const http1::response_head& h = parser.head();
      if (h.interim()) {
        interim_record i{h.status, {}};
        for (const http1::field_line& f : h.fields) i.fields.add(f.name, f.value);
        out.interim.push_back(std::move(i));
        const bool go_on = h.status == 100 && content_pending;
        c.buffer.erase(0, parsed.consumed);
        parser.reset();
        // An interim response says the server is at work (RFC 2518 §10.1 sends 102 for that):
        // the head's timeout starts again.
        if (!content_pending) w.arm(opts.header_timeout);
        if (go_on) {
          content_pending = false;
          w.arm(opts.header_timeout);
          co_await c.write(r.body, ec);
          if (ec) throw failure(failure::kind::io, fmt::format("sending the content: {}", describe(ec)));
        }
        continue;
      }
      out.status = h.status;
      out.reason = std::string(h.reason);
      for (const http1::field_line& f : h.fields) out.fields.add(f.name, f.value);
      out.content_sent = !content_pending;
      out.time.first_byte = since(start);
      const http1::body_framing framing = h.framing;
      const std::uint64_t length = h.content_length;
      const bool keep_alive = h.keep_alive;
      c.buffer.erase(0, parsed.consumed);

      if (sink != nullptr && !sink->begin(out)) throw failure(failure::kind::sink, "the download was refused");
      w.arm(opts.header_timeout);
      // Coded content is decoded whole, then handed to the sink.
      const bool decode_here = opts.decode_content && out.fields.find("Content-Encoding");
      co_await read_content(c, w, framing, length, decode_here ? nullptr : sink, out, limits);
      if (decode_here) {
        decode_content(out);
        if (sink != nullptr && !sink->write(out.body))
          throw failure(failure::kind::sink, "the content could not be stored");
        if (sink != nullptr) out.body.clear();
      }
      reusable = keep_alive && framing != http1::body_framing::until_close &&
                 framing != http1::body_framing::tunnel && !content_pending && c.buffer.empty();
      break;
    }
    w.disarm();
    out.time.total = since(start);
    co_return out;
  }

  asio::awaitable<void> read_content(connection& c, watch& w, http1::body_framing framing,
                                     std::uint64_t length, content_sink* sink,
                                     response_record& out, const http1::limits& limits) {
    if (framing == http1::body_framing::none || framing == http1::body_framing::tunnel) co_return;
    http1::body_decoder decoder(limits);
    decoder.start(framing, length);
    while (true) {
      http1::body_decoder::result piece = decoder.decode(c.buffer);
      if (piece.failure)
        throw failure(failure::kind::protocol, fmt::format("the content's framing is broken: {}", http1::sentence(*piece.failure)));
      if (!piece.content.empty()) {
        out.content_octets += piece.content.size();
        if (sink != nullptr) {
          if (!sink->write(piece.content)) throw failure(failure::kind::sink, "the content could not be stored");
        } else {
          if (out.body.size() + piece.content.size() > opts.max_buffered)
            throw failure(failure::kind::protocol, fmt::format("the content is larger than {} octets", opts.max_buffered));
          out.body.append(piece.content);
        }
      }
      c.buffer.erase(0, piece.consumed);
      if (piece.done) break;
      if (piece.consumed > 0 && !c.buffer.empty()) continue;
      char chunk[65536];
      asio::error_code ec;
      std::size_t n = co_await c.read_some(chunk, sizeof chunk, ec);
      if (n > 0) {
        c.buffer.append(chunk, n);
        w.arm(opts.header_timeout);  // bounds a stall; the whole is bounded by the limit
        continue;
      }
      if (w.fired) throw failure(failure::kind::timeout, "the content stalled, or the exchange took longer than --max-time");
      if (framing == http1::body_framing::until_close && (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated)) {
        if (std::optional<http1::error> e = decoder.finish_at_close())
          throw failure(failure::kind::incomplete, std::string(http1::sentence(*e)));
        break;
      }
      if (framing == http1::body_framing::content_length)
        throw failure(failure::kind::incomplete,
                      fmt::format("the connection closed after {} of {} content octets", out.content_octets, length));
      throw failure(failure::kind::incomplete, "the connection closed before the last chunk");
    }
    for (const http1::field_line& f : decoder.trailers()) out.trailers.add(f.name, f.value);
  }

  void decode_content(response_record& out) {
    std::optional<std::string_view> field = out.fields.find("Content-Encoding");
    if (!field || out.body.empty()) return;
    // Codings apply in the order listed, so they are undone from the last (RFC 9110 §8.4).
    std::optional<std::vector<std::string_view>> listed = core::parse_list(*field);
    if (!listed) throw failure(failure::kind::protocol, fmt::format("Content-Encoding \"{}\" is malformed", *field));
    const std::vector<std::string_view>& codings = *listed;
    for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
      std::optional<core::content_coding> coding = core::content_coding_from_token(*it);
      if (!coding)
        throw failure(failure::kind::protocol, fmt::format("the content coding {} is unknown", *it));
      std::optional<std::string> decoded = core::decode(*coding, out.body, opts.max_buffered);
      if (!decoded)
        throw failure(failure::kind::protocol, fmt::format("the content does not decode as {}", *it));
      out.body = std::move(*decoded);
    }
    out.fields.erase("Content-Encoding");
    out.fields.erase("Content-Length");
  }

  asio::awaitable<response_record> run(const request_spec& r, content_sink* sink, bool pooled) {
    target t = parse_target(r.url);
    if (proxy) t.origin = proxy->origin + " " + t.origin;
    const auto start = steady::now();
    auto w = std::make_shared<watch>(io);
    if (opts.total_timeout.count() > 0) w->limit = start + opts.total_timeout;
    w->deadline = w->limit;
    w->start();
    watch_scope scope{w};
    std::unique_ptr<connection> c = pooled ? take_idle(t.origin) : nullptr;
    bool reused = c != nullptr;
    exchange_timings time;
    if (!c) c = co_await open(t, time, *w);
    bool reusable = false;
    std::optional<response_record> out;
    try {
      out = co_await converse(*c, t, r, sink, reused, *w, start, reusable);
    } catch (const stale_connection&) {
      if (!idempotent(r.method))
        throw failure(failure::kind::io, "the server closed the kept-alive connection; the request is not idempotent, so it was not repeated");
    }
    if (!out) {
      c = co_await open(t, time, *w);
      reused = false;
      out = co_await converse(*c, t, r, sink, false, *w, start, reusable);
    }
    out->time.connect = time.connect;
    out->time.tls = time.tls;
    if (reusable && pooled) {
      w->target = nullptr;
      idle[t.origin].push_back(std::move(c));
    }
    co_return std::move(*out);
  }
};

http_client::http_client(client_options options) : impl_(std::make_unique<impl>(std::move(options))) {}
http_client::~http_client() = default;


response_record http_client::exchange(const request_spec& r, content_sink* sink) {
  std::optional<response_record> result;
  std::exception_ptr error;
  asio::co_spawn(
      impl_->io,
      [&]() -> asio::awaitable<void> {
        try {
          result = co_await impl_->run(r, sink, true);
        } catch (...) {
          error = std::current_exception();
        }
      },
      asio::detached);
  impl_->io.restart();
  impl_->io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

std::vector<http_client::parallel_result> http_client::exchange_all(
    const std::vector<request_spec>& requests, const std::vector<content_sink*>& sinks) {
  std::vector<parallel_result> results(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    asio::co_spawn(
        impl_->io,
        [&, i]() -> asio::awaitable<void> {
          try {
            results[i].response = co_await impl_->run(requests[i], i < sinks.size() ? sinks[i] : nullptr, false);
          } catch (const failure& f) {
            results[i].error = f;
          } catch (const std::exception& e) {
            results[i].error = failure(failure::kind::io, e.what());
          }
        },
        asio::detached);
  }
  impl_->io.restart();
  impl_->io.run();
  return results;
}

}  // namespace herald::client
