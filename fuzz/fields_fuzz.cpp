// Fuzzes the list parser and the fields collection.
//
// 1. The whole input is a field value for parse_list. A well-formed list must give non-empty
//    elements without surrounding OWS, all inside the input, that survive being rejoined (with
//    any separator of commas and OWS) and parsed again; a malformed one must contain no token.
// 2. The same bytes drive a sequence of fields operations, checked after each step against a
//    plain vector of name/value pairs:
//      op byte, name length byte, name bytes, value length byte, value bytes, ...

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <herald/core/fields.hpp>
#include <herald/core/syntax.hpp>

#include "fuzz_support.hpp"

namespace {

using herald::core::field_kind;
using herald::core::fields;
using herald::core::list_contains_token;
using herald::core::list_elements;
using herald::core::parse_list;
using herald::core::traits_of;
using herald::fuzz::check;
namespace syntax = herald::core::syntax;

void check_list(std::string_view input) {
  std::optional<std::vector<std::string_view>> elements = parse_list(input);
  std::optional<list_elements> view = list_elements::parse(input);
  check(elements.has_value() == view.has_value());
  if (!elements) {
    for (std::string_view token : {"close", "a", "gzip"}) check(!list_contains_token(input, token));
    return;
  }
  check(std::vector<std::string_view>(view->begin(), view->end()) == *elements);
  check(view->empty() == elements->empty());
  for (std::string_view e : *elements) {
    check(!e.empty());
    check(!syntax::is_ows(e.front()) && !syntax::is_ows(e.back()));
    check(e.data() >= input.data() && e.data() + e.size() <= input.data() + input.size());
    if (syntax::is_token(e)) check(list_contains_token(input, e));
  }
  for (std::string_view separator : {", ", ",", " \t,, ,\t"}) {
    std::string joined;
    for (std::string_view e : *elements) {
      if (!joined.empty()) joined += separator;
      joined += e;
    }
    std::optional<std::vector<std::string_view>> again = parse_list(joined);
    check(again.has_value());
    check(again->size() == elements->size());
    for (std::size_t i = 0; i < again->size(); ++i) check((*again)[i] == (*elements)[i]);
  }
}

// The reference: a vector of lines, compared by hand.
using model = std::vector<std::pair<std::string, std::string>>;

bool valid(std::string_view name, std::string_view value) {
  return syntax::is_token(name) && syntax::is_field_value(value);
}

void check_same(const fields& f, const model& m, std::string_view name) {
  check(f.size() == m.size());
  check(f.empty() == m.empty());
  std::size_t i = 0;
  for (auto [n, v] : f) {
    check(n == m[i].first && v == m[i].second);
    ++i;
  }
  check(i == m.size());

  std::vector<std::string_view> expected;
  for (const auto& [n, v] : m)
    if (syntax::iequals(n, name)) expected.push_back(v);
  check(f.count(name) == expected.size());
  check(f.contains(name) == !expected.empty());
  check(f.find(name) ==
        (expected.empty() ? std::nullopt : std::optional<std::string_view>{expected.front()}));
  std::vector<std::string_view> values(f.values(name).begin(), f.values(name).end());
  check(values == expected);

  std::optional<std::string> combined = f.combined(name);
  field_kind kind = traits_of(name).kind;
  if (expected.empty() || kind == field_kind::never_combine ||
      (kind == field_kind::singleton && expected.size() > 1)) {
    check(!combined);
  } else {
    std::string joined;
    for (std::size_t k = 0; k < expected.size(); ++k) {
      if (k > 0) joined += kind == field_kind::cookie ? "; " : ", ";
      joined += expected[k];
    }
    check(combined == joined);
  }
}

// What fields::set does, written the plain way.
void model_set(model& m, const std::string& name, const std::string& value) {
  model out;
  bool placed = false;
  for (auto& line : m) {
    if (!syntax::iequals(line.first, name)) {
      out.push_back(std::move(line));
    } else if (!placed) {
      out.emplace_back(name, value);
      placed = true;
    }
  }
  if (!placed) out.emplace_back(name, value);
  m = std::move(out);
}

// Reads length-prefixed pieces of the input.
class reader {
 public:
  explicit reader(std::string_view data) : data_(data) {}
  bool done() const { return data_.empty(); }
  std::uint8_t byte() {
    if (data_.empty()) return 0;
    auto b = static_cast<std::uint8_t>(data_.front());
    data_.remove_prefix(1);
    return b;
  }
  std::string_view piece() {
    std::size_t n = std::min<std::size_t>(byte() % 64, data_.size());
    std::string_view out = data_.substr(0, n);
    data_.remove_prefix(n);
    return out;
  }

 private:
  std::string_view data_;
};

std::string flip_case(std::string_view s) {
  std::string out{s};
  for (char& c : out) {
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 32);
    else if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c + 32);
  }
  return out;
}

void check_fields(std::string_view input) {
  fields f;
  model m;
  reader in{input};
  for (int step = 0; step < 64 && !in.done(); ++step) {
    std::uint8_t op = in.byte();
    std::string name{in.piece()};
    std::string value{in.piece()};
    // Look the name up in another case about half of the time: names are case-insensitive.
    std::string lookup = op & 0x80 ? flip_case(name) : name;
    switch (op % 6) {
      case 0: {
        check(f.add(name, value) == valid(name, value));
        if (valid(name, value)) m.emplace_back(name, value);
        break;
      }
      case 1: {
        bool ok = valid(name, value);
        check(f.set(name, value) == ok);
        if (!ok) break;
        model_set(m, name, value);
        break;
      }
      case 2: {
        std::size_t removed =
            std::erase_if(m, [&](const auto& line) { return syntax::iequals(line.first, lookup); });
        check(f.erase(lookup) == removed);
        break;
      }
      case 3: {
        // Arguments that view the collection's own storage.
        if (f.empty()) break;
        std::size_t k = value.size() % f.size();
        check(f.add(f.at(k).name, f.at(k).value));
        m.push_back(m[k]);
        break;
      }
      case 4: {
        if (f.empty()) break;
        std::size_t k = value.size() % f.size();
        check(f.set(f.at(k).name, f.at((k + 1) % f.size()).value));
        model_set(m, std::string{m[k].first}, std::string{m[(k + 1) % m.size()].second});
        break;
      }
      default: {
        if (op & 0x40) {
          f.clear();
          m.clear();
        }
        bool any = false;
        for (const auto& [n, v] : m)
          if (syntax::iequals(n, lookup) && list_contains_token(v, "close")) any = true;
        if (f.contains_token(lookup, "close")) check(any);
        break;
      }
    }
    check_same(f, m, lookup);
    check_same(f, m, name);
  }
  fields copy = f;
  check_same(copy, m, "close");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input{reinterpret_cast<const char*>(data), size};
  check_list(input);
  check_fields(input);
  return 0;
}
