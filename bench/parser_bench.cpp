// Parser throughput on realistic messages, single core. `make bench` runs it; the README
// records the figures. Bytes/s counts the octets of the message heads (and bodies, where the
// benchmark decodes them).

#include <benchmark/benchmark.h>

#include <string>

#include <herald/http1/parser.hpp>

namespace {

using namespace herald::http1;

// What a current Chromium sends for a page, ~500 octets.
const std::string browser_get =
    "GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n"
    "Host: www.kittyhell.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "*/*;q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.9\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Sec-Fetch-Site: none\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; "
    "__utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x\r\n"
    "Connection: keep-alive\r\n"
    "\r\n";

const std::string curl_get =
    "GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\n"
    "Accept: */*\r\n\r\n";

const std::string json_post =
    "POST /api/v1/orders HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/json\r\n"
    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w\r\n"
    "Content-Length: 64\r\nAccept: application/json\r\n\r\n"
    "{\"item\":\"tea\",\"quantity\":2,\"note\":\"no sugar\",\"express\":false}  ";

const std::string chunked_response =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
    "1a\r\nabcdefghijklmnopqrstuvwxyz\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n";

void parse_request(benchmark::State& state, const std::string& message) {
  request_parser parser;
  body_decoder body;
  for (auto _ : state) {
    parser.reset();
    parse_result r = parser.parse(message);
    if (r.state != parse_state::complete) state.SkipWithError("request did not parse");
    body.start(parser.head().framing, parser.head().content_length);
    std::string_view rest = std::string_view(message).substr(r.consumed);
    while (!body.done()) {
      auto piece = body.decode(rest);
      benchmark::DoNotOptimize(piece.content.data());
      rest.remove_prefix(piece.consumed);
      if (piece.failure || (piece.consumed == 0 && !body.done())) break;
    }
    benchmark::DoNotOptimize(parser.head().fields.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * message.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_BrowserGet(benchmark::State& s) { parse_request(s, browser_get); }
void BM_CurlGet(benchmark::State& s) { parse_request(s, curl_get); }
void BM_JsonPost(benchmark::State& s) { parse_request(s, json_post); }

// Twenty requests in one buffer, as a pipelining client sends them.
void BM_Pipeline20(benchmark::State& state) {
  std::string pipeline;
  for (int i = 0; i < 20; ++i) pipeline += curl_get;
  request_parser parser;
  for (auto _ : state) {
    std::string_view rest = pipeline;
    while (!rest.empty()) {
      parser.reset();
      parse_result r = parser.parse(rest);
      if (r.state != parse_state::complete) {
        state.SkipWithError("pipeline did not parse");
        break;
      }
      rest.remove_prefix(r.consumed);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * pipeline.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 20));
}

void BM_ChunkedResponse(benchmark::State& state) {
  response_parser parser;
  body_decoder body;
  for (auto _ : state) {
    parser.reset();
    parse_result r = parser.parse(chunked_response, "GET");
    body.start(parser.head().framing, parser.head().content_length);
    std::string_view rest = std::string_view(chunked_response).substr(r.consumed);
    while (!body.done()) {
      auto piece = body.decode(rest);
      benchmark::DoNotOptimize(piece.content.data());
      rest.remove_prefix(piece.consumed);
      if (piece.failure) {
        state.SkipWithError("chunked body did not decode");
        break;
      }
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * chunked_response.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

BENCHMARK(BM_BrowserGet);
BENCHMARK(BM_CurlGet);
BENCHMARK(BM_JsonPost);
BENCHMARK(BM_Pipeline20);
BENCHMARK(BM_ChunkedResponse);

}  // namespace

BENCHMARK_MAIN();
