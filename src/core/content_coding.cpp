#include <herald/core/content_coding.hpp>

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <stdexcept>
#include <zlib.h>
#include <zstd.h>

#include <herald/core/syntax.hpp>

namespace herald::core {

namespace {

// zlib's windowBits: 15 for the zlib format (deflate), 15 + 16 for gzip.
int window_bits(content_coding c) { return c == content_coding::gzip ? 15 + 16 : 15; }

std::string zlib_encode(content_coding c, std::string_view in) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits(c), 8,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib: deflateInit2 failed");
  std::string out(deflateBound(&z, static_cast<uLong>(in.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib: deflate did not finish");
  return out;
}

std::optional<std::string> zlib_decode(content_coding c, std::string_view in, std::size_t max) {
  z_stream z{};
  if (inflateInit2(&z, window_bits(c)) != Z_OK) return std::nullopt;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buffer[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = inflate(&z, Z_NO_FLUSH);
    std::size_t produced = sizeof buffer - z.avail_out;
    if (out.size() + produced > max) rc = Z_BUF_ERROR;
    else out.append(buffer, produced);
    if (rc == Z_OK && produced == 0 && z.avail_in == 0) rc = Z_BUF_ERROR;  // truncated
    // RFC 1952 §2.2: a gzip file is a series of members, decoded one after another.
    if (rc == Z_STREAM_END && c == content_coding::gzip && z.avail_in > 0) rc = inflateReset(&z);
  }
  const bool whole = rc == Z_STREAM_END && z.avail_in == 0;
  inflateEnd(&z);
  if (!whole) return std::nullopt;
  return out;
}

std::string brotli_encode(std::string_view in) {
  std::size_t size = BrotliEncoderMaxCompressedSize(in.size());
  if (size == 0) size = in.size() + 1024;
  std::string out(size, '\0');
  if (!BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC,
                             in.size(), reinterpret_cast<const uint8_t*>(in.data()), &size,
                             reinterpret_cast<uint8_t*>(out.data())))
    throw std::runtime_error("brotli: compression failed");
  out.resize(size);
  return out;
}

std::optional<std::string> brotli_decode(std::string_view in, std::size_t max) {
  BrotliDecoderState* state = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  if (state == nullptr) return std::nullopt;
  std::string out;
  std::size_t available_in = in.size();
  const auto* next_in = reinterpret_cast<const uint8_t*>(in.data());
  BrotliDecoderResult rc = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
  uint8_t buffer[16384];
  while (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
    std::size_t available_out = sizeof buffer;
    uint8_t* next_out = buffer;
    rc = BrotliDecoderDecompressStream(state, &available_in, &next_in, &available_out, &next_out,
                                       nullptr);
    std::size_t produced = sizeof buffer - available_out;
    if (out.size() + produced > max) {
      rc = BROTLI_DECODER_RESULT_ERROR;
      break;
    }
    out.append(reinterpret_cast<const char*>(buffer), produced);
  }
  BrotliDecoderDestroyInstance(state);
  if (rc != BROTLI_DECODER_RESULT_SUCCESS || available_in != 0) return std::nullopt;
  return out;
}

std::string zstd_encode(std::string_view in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  std::size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  if (ZSTD_isError(n)) throw std::runtime_error("zstd: compression failed");
  out.resize(n);
  return out;
}

std::optional<std::string> zstd_decode(std::string_view in, std::size_t max) {
  ZSTD_DStream* stream = ZSTD_createDStream();
  if (stream == nullptr) return std::nullopt;
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  std::string out;
  char buffer[16384];
  std::size_t rc = 1;
  bool ok = true;
  // rc == 0: a frame ended; more input may hold another frame (RFC 8878 §3.1).
  while (ok && (input.pos < input.size || rc != 0)) {
    ZSTD_outBuffer output{buffer, sizeof buffer, 0};
    rc = ZSTD_decompressStream(stream, &output, &input);
    if (ZSTD_isError(rc) || out.size() + output.pos > max) ok = false;
    else out.append(buffer, output.pos);
    if (ok && rc != 0 && input.pos == input.size && output.pos < output.size) ok = false;
  }
  ZSTD_freeDStream(stream);
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace

std::optional<content_coding> content_coding_from_token(std::string_view t) {
  if (syntax::iequals(t, "identity")) return content_coding::identity;
  if (syntax::iequals(t, "gzip") || syntax::iequals(t, "x-gzip")) return content_coding::gzip;
  if (syntax::iequals(t, "deflate")) return content_coding::deflate;
  if (syntax::iequals(t, "br")) return content_coding::br;
  if (syntax::iequals(t, "zstd")) return content_coding::zstd;
  return std::nullopt;
}

std::string_view token(content_coding c) {
  switch (c) {
    case content_coding::identity: return "identity";
    case content_coding::gzip: return "gzip";
    case content_coding::deflate: return "deflate";
    case content_coding::br: return "br";
    case content_coding::zstd: return "zstd";
  }
  return "identity";
}

std::string encode(content_coding c, std::string_view content) {
  switch (c) {
    case content_coding::identity: return std::string(content);
    case content_coding::gzip:
    case content_coding::deflate: return zlib_encode(c, content);
    case content_coding::br: return brotli_encode(content);
    case content_coding::zstd: return zstd_encode(content);
  }
  return std::string(content);
}

std::optional<std::string> decode(content_coding c, std::string_view coded, std::size_t max_size) {
  switch (c) {
    case content_coding::identity:
      if (coded.size() > max_size) return std::nullopt;
      return std::string(coded);
    case content_coding::gzip:
    case content_coding::deflate: return zlib_decode(c, coded, max_size);
    case content_coding::br: return brotli_decode(coded, max_size);
    case content_coding::zstd: return zstd_decode(coded, max_size);
  }
  return std::nullopt;
}

}  // namespace herald::core
