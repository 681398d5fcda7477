#pragma once
// The resource decision engine (DESIGN.md, "The resource decision engine"): one fixed flow, the
// same for every resource, that asks a resource (resource.hpp) its questions and chooses the
// representation-level status and the fields that status requires. Handlers never pick these
// statuses by hand.
//
// The flow, with the name each step records in the trace (a step is recorded when it is taken,
// so the trace is the path; the last name explains the status):
//
//   service_available        → 503 (+ Retry-After)
//   known_method             → 501 (the protocol layer answers this first; kept for safety)
//   method_allowed           → 405 + Allow
//   well_formed              → 400
//   authorized               → 401 + WWW-Authenticate
//   forbidden                → 403
//   content_headers          → 400 (Content-Range on PUT, RFC 9110 §14.4) / 501
//   content_type             → 415 + Accept            (only with request content)
//   content_coding           → 415 + Accept-Encoding   (only with Content-Encoding)
//   content_size             → 413                     (only with request content)
//   options                  → 204 + Allow
//   negotiate                → 406 (body lists the variants) / 300 + Location (+ Vary)
//   legally_blocked          → 451 + Link: <…>; rel="blocked-by"
//   exists
//     missing:  moved        → 301/302/307/308 + Location
//               gone         → 410
//               create       → (PUT the resource can create) precondition_required → 428,
//                              if_* → 412, then the creation's effect (201 + Location, ...)
//               not_found    → 404
//   precondition_required    → 428 (unsafe method, resource requires it, request unconditional)
//   preconditions            → evaluated, RFC 9110 §13.2.2 order: if_match → 412,
//                              if_unmodified_since → 412, if_none_match → 304/412,
//                              if_modified_since → 304 (not for OPTIONS, CONNECT, TRACE)
//   representation           GET and HEAD: 200 with the whole representation, or for GET with
//     range, if_range          Range: 206 (one range, or multipart/byteranges), 416 + Content-Range
//                              bytes */length, or 200 when Range is ignored
//   effect                   other methods: 200/201/202/204/303/409
//
// Statuses of the protocol (503 while draining, 501, 414, 400 for a malformed message) are
// decided before a handler runs; the connection adds Date and frames the content (none for
// HEAD, 204, 304).
//
// Fields: Allow on 405 and the OPTIONS 204; Vary for every negotiated dimension on every response
// after negotiation; ETag, Last-Modified (never later than Date), Cache-Control, Expires and
// Content-Location (a negotiated variant with a URI of its own) on 200 and 206; on 304 the same
// except Last-Modified, which it carries only without an ETag (RFC 9110 §15.4.5), and no
// Content-Type, Content-Encoding or content; Location on 201, 300 and the redirects;
// Content-Range on 206 and 416; Accept-Ranges on 200 and 206 of GET/HEAD; Link on 451;
// Retry-After on 503. Error statuses carry a short text body; redirects and 300 a short
// hypertext note.

#include <chrono>
#include <string_view>
#include <vector>

#include <herald/core/byte_range.hpp>
#include <herald/server/handler.hpp>
#include <herald/server/resource.hpp>
#include <herald/server/response.hpp>

namespace herald::server {

struct engine_options {
  // The response's Date. Last-Modified is never later than it (RFC 9110 §8.8.2.1), and a
  // Last-Modified in If-Range must be at least a second older (RFC 9110 §13.1.5).
  std::chrono::sys_seconds now{};
  // Guards against costly range sets (RFC 9110 §14.2, §17.15): beyond these the Range field is
  // ignored and the whole representation sent.
  core::range_limits range_limits{};
  // A multipart/byteranges response is refused (Range ignored, 200) when it would be larger
  // than this many times the whole representation.
  unsigned max_multipart_expansion = 2;
  // The multipart boundary; empty for a fresh random one per response (RFC 2046 §5.1.1: it
  // must not occur in the parts, which a random 32-hex-digit string makes improbable).
  // Tests fix it.
  std::string_view boundary;
};

// Walks the flow for one request. `trace`, when not null, receives the name of each step taken
// (static strings). The request's head and content must outlive the call; the response owns
// everything it holds.
response decide(resource& target, request& req, const engine_options& options,
                std::vector<std::string_view>* trace = nullptr);

}  // namespace herald::server
