#pragma once
// Header and trailer fields (RFC 9110 §5): an owning, order-preserving collection of field lines
// with case-insensitive names, the traits of well-known field names (how repeated lines combine,
// which fields are hop-by-hop), and the comma-separated list syntax most field values use
// (RFC 9110 §5.6.1).
//
// Nothing here throws on malformed input: invalid names or values are refused with `false`,
// malformed lists come back as std::nullopt. Only memory exhaustion (std::bad_alloc) can throw.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <herald/core/syntax.hpp>

namespace herald::core {

// ---------------------------------------------------------------------------------------------
// Field traits

// How the field lines of one name relate to each other (RFC 9110 §5.3).
enum class field_kind : std::uint8_t {
  // The value is a #list (RFC 9110 §5.6.1), or one alternative of its grammar is: repeated
  // lines may be combined into one by joining them with ", ".
  list,
  // Exactly one value. RFC 9110 §5.3 forbids a sender to generate more than one line, so a
  // received message that repeats it is malformed; what to do about that is the receiver's
  // policy (RFC 9112 §3.2, for instance, requires 400 for a repeated Host).
  singleton,
  // Content-Length: a singleton, but RFC 9110 §8.6 lets a recipient accept repeated lines or a
  // list ("42, 42") when every value is the same decimal number. The HTTP/1 parser owns that
  // decision; combined() joins the lines so that it sees them in the list form.
  content_length,
  // Cookie: one line in HTTP/1.1 (RFC 6265 §5.4), but HTTP/2 and HTTP/3 may split it, and the
  // pieces are rejoined with "; " (RFC 9113 §8.2.3, RFC 9114 §4.2.1), never with ", ".
  cookie,
  // Set-Cookie: every line is a separate value whose syntax uses commas (in Expires), so lines
  // must never be combined (RFC 9110 §5.3, RFC 6265 §3). Iterate them with fields::values().
  never_combine,
  // A name missing from the table. RFC 9110 §5.3 lets any recipient combine repeated lines with
  // ", ", and a conforming sender repeats a field only when its definition allows a list, so
  // unknown fields are combined like lists; whether the result means anything is up to the
  // field's definition, which herald does not know.
  unknown,
};

struct field_traits {
  std::string_view name;  // registered spelling ("WWW-Authenticate"); empty when unknown
  field_kind kind = field_kind::unknown;
  // Meaningful only for one connection: a proxy removes it before forwarding (RFC 9110 §7.6.1),
  // along with every field the Connection field names.
  bool hop_by_hop = false;

  constexpr bool known() const noexcept { return !name.empty(); }
  friend constexpr bool operator==(const field_traits&, const field_traits&) = default;
};

// Traits of a field name, compared ASCII case-insensitively (RFC 9110 §5.1), without allocating.
// Unknown names get {"", field_kind::unknown, false}.
field_traits traits_of(std::string_view name) noexcept;

// Every field in the table, in ASCII case-insensitive order of name. Static storage.
std::span<const field_traits> known_fields() noexcept;

// ---------------------------------------------------------------------------------------------
// Lists (RFC 9110 §5.6.1)

// The non-empty elements of a comma-separated list, as views into the caller's value (which must
// outlive this object and its iterators). Separators are commas outside quoted strings; OWS
// around each element is dropped and empty elements are skipped (RFC 9110 §5.6.1.2), so
// ", ,a,,b" has the elements "a" and "b". Elements keep their inner text as sent: quoted
// strings are not unescaped, and the element grammar (token, token;params, ...) is the caller's.
//
// Quoted strings are the only nesting this recognises. Fields whose elements hold commas in
// other places (Via comments, URI references in Link, auth-params in WWW-Authenticate) need their
// own parser.
class list_elements {
 public:
  class iterator {
   public:
    using value_type = std::string_view;
    using reference = std::string_view;
    using difference_type = std::ptrdiff_t;
    using iterator_concept = std::forward_iterator_tag;
    using iterator_category = std::input_iterator_tag;

    iterator() = default;  // the end iterator
    std::string_view operator*() const noexcept { return current_; }
    iterator& operator++() noexcept;
    iterator operator++(int) noexcept {
      iterator before = *this;
      ++*this;
      return before;
    }
    // Every element is non-empty, so its start position identifies it; the end has none.
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.current_.data() == b.current_.data();
    }

   private:
    friend class list_elements;
    explicit iterator(std::string_view rest) noexcept : rest_(rest) { ++*this; }
    std::string_view rest_;
    std::string_view current_;
  };

  // Validates `value` as a field value made of list elements. Returns nullopt when it is
  // malformed: an unterminated or otherwise malformed quoted string (RFC 9110 §5.6.4), or an
  // octet a field value cannot hold (CR, LF, NUL and other controls; RFC 9110 §5.5). An empty
  // value, or one of only commas and OWS, is a valid list without elements: whether the field
  // requires at least one element (1#rule) is for the caller to check.
  static std::optional<list_elements> parse(std::string_view value) noexcept;

  iterator begin() const noexcept { return iterator{value_}; }
  iterator end() const noexcept { return iterator{}; }
  bool empty() const noexcept { return begin() == end(); }

 private:
  explicit list_elements(std::string_view value) noexcept : value_(value) {}
  std::string_view value_;
};

// The elements of list_elements::parse(value), collected; nullopt when malformed.
std::optional<std::vector<std::string_view>> parse_list(std::string_view value);

// Whether the list `value` has an element equal to `token`, ignoring ASCII case
// ("keep-alive, Close" contains "close"). An element with parameters ("gzip;q=0") is not equal
// to its bare token. A malformed list contains nothing, and neither does any list when `token`
// is not a token (RFC 9110 §5.6.2).
bool list_contains_token(std::string_view value, std::string_view token) noexcept;

// ---------------------------------------------------------------------------------------------
// The field collection

// One field line. The views point into the fields object it came from.
struct field {
  std::string_view name;
  std::string_view value;
  friend bool operator==(const field&, const field&) = default;
};

// A field name written in the source, checked as a token (RFC 9110 §5.1) when the program is
// compiled rather than each time a field is added: a server adds the same few names to every
// response. Explicit, so that fields::add(name, value) with a string stays the checked path.
class field_name {
 public:
  template <std::size_t N>
  consteval explicit field_name(const char (&name)[N]) : name_(name, N - 1) {
    if (!syntax::is_token(name_)) throw "a field name is a token (RFC 9110 §5.1)";
  }
  constexpr std::string_view view() const noexcept { return name_; }

 private:
  std::string_view name_;
};

// An owning list of field lines in wire order, names compared ASCII case-insensitively
// (RFC 9110 §5.1) and kept in the spelling they were added with. Repeated names are kept as
// separate lines in their relative order, which RFC 9110 §5.3 makes significant.
//
// Lookups never allocate. All lines share one buffer, so adding a line costs no allocation of
// its own once the buffer has grown to the size a message needs; clear() keeps that capacity for
// the next message.
//
// Lifetime: every view, field and iterator obtained from a fields object stays valid until that
// object is next modified (add, set, erase, erase_if, clear, reserve, assignment) or destroyed.
class fields {
  struct line {
    std::uint32_t offset;  // of the name; the value follows it directly in buffer_
    std::uint32_t name_size;
    std::uint32_t value_size;
  };

  // The octets of every line. Not a std::string: its append is a call into the shared library
  // for each name and each value, which costs more than copying the octets; here a line whose
  // room is reserved is two inline copies.
  class octets {
   public:
    octets() = default;
    octets(const octets& other) { copy_from(other); }
    octets(octets&& other) noexcept
        : data_(std::move(other.data_)),
          size_(std::exchange(other.size_, 0)),
          capacity_(std::exchange(other.capacity_, 0)) {}
    octets& operator=(const octets& other) {
      if (this != &other) copy_from(other);
      return *this;
    }
    octets& operator=(octets&& other) noexcept {
      data_ = std::move(other.data_);
      size_ = std::exchange(other.size_, 0);
      capacity_ = std::exchange(other.capacity_, 0);
      return *this;
    }

    const char* data() const noexcept { return data_.get(); }
    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return capacity_; }
    std::string_view view() const noexcept { return {data_.get(), size_}; }
    void clear() noexcept { size_ = 0; }
    void reserve(std::size_t capacity) {
      if (capacity <= capacity_) return;
      auto fresh = std::make_unique_for_overwrite<char[]>(capacity);
      if (size_ > 0) std::memcpy(fresh.get(), data_.get(), size_);
      data_ = std::move(fresh);
      capacity_ = capacity;
    }
    // Only into reserved room: size() + name.size() + value.size() <= capacity().
    void append(std::string_view name, std::string_view value) noexcept {
      if (!name.empty()) std::memcpy(data_.get() + size_, name.data(), name.size());
      size_ += name.size();
      if (!value.empty()) std::memcpy(data_.get() + size_, value.data(), value.size());
      size_ += value.size();
    }

   private:
    // Allocates before it changes anything, so that a failed copy leaves this as it was.
    void copy_from(const octets& other) {
      if (other.size_ > capacity_) {
        data_ = std::make_unique_for_overwrite<char[]>(other.size_);
        capacity_ = other.size_;
      }
      size_ = 0;
      append(other.view(), {});
    }

    std::unique_ptr<char[]> data_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
  };

 public:
  // Wire-order iteration over every line: `for (auto [name, value] : f)`.
  class iterator {
   public:
    using value_type = field;
    using reference = field;
    using difference_type = std::ptrdiff_t;
    using iterator_concept = std::forward_iterator_tag;
    using iterator_category = std::input_iterator_tag;

    iterator() = default;
    field operator*() const noexcept { return owner_->at(index_); }
    iterator& operator++() noexcept {
      ++index_;
      return *this;
    }
    iterator operator++(int) noexcept {
      iterator before = *this;
      ++index_;
      return before;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.index_ == b.index_;
    }

   private:
    friend class fields;
    iterator(const fields* owner, std::size_t index) noexcept : owner_(owner), index_(index) {}
    const fields* owner_ = nullptr;
    std::size_t index_ = 0;
  };

  // The values of every line with one name, in wire order, as returned by values().
  class value_range {
   public:
    class iterator {
     public:
      using value_type = std::string_view;
      using reference = std::string_view;
      using difference_type = std::ptrdiff_t;
      using iterator_concept = std::forward_iterator_tag;
      using iterator_category = std::input_iterator_tag;

      iterator() = default;
      std::string_view operator*() const noexcept { return owner_->at(index_).value; }
      iterator& operator++() noexcept {
        index_ = owner_->find_index(name_, index_ + 1);
        return *this;
      }
      iterator operator++(int) noexcept {
        iterator before = *this;
        ++*this;
        return before;
      }
      friend bool operator==(const iterator& a, const iterator& b) noexcept {
        return a.index_ == b.index_;
      }

     private:
      friend class value_range;
      iterator(const fields* owner, std::string_view name, std::size_t index) noexcept
          : owner_(owner), name_(name), index_(index) {}
      const fields* owner_ = nullptr;
      std::string_view name_;
      std::size_t index_ = 0;
    };

    iterator begin() const noexcept { return {owner_, name_, owner_->find_index(name_, 0)}; }
    iterator end() const noexcept { return {owner_, name_, owner_->size()}; }
    bool empty() const noexcept { return begin() == end(); }

   private:
    friend class fields;
    value_range(const fields* owner, std::string_view name) noexcept : owner_(owner), name_(name) {}
    const fields* owner_;
    std::string_view name_;  // the caller's view: it must outlive the range
  };

  fields() = default;
  fields(const fields&) = default;
  fields& operator=(const fields&) = default;
  // A moved-from object is empty, and nothing of it counts as abandoned.
  fields(fields&& other) noexcept
      : buffer_(std::move(other.buffer_)),
        lines_(std::move(other.lines_)),
        garbage_(std::exchange(other.garbage_, 0)) {}
  fields& operator=(fields&& other) noexcept {
    if (this == &other) return *this;
    buffer_ = std::move(other.buffer_);
    lines_ = std::move(other.lines_);
    other.lines_.clear();
    garbage_ = std::exchange(other.garbage_, 0);
    return *this;
  }

  // Appends a line. `name` and `value` may be views into this object. Refuses (returns false,
  // changes nothing) a name that is not a token (RFC 9110 §5.1) or a value that is not a valid
  // field value without surrounding OWS (RFC 9110 §5.5, syntax::is_field_value), and a collection
  // that would pass 4 GiB.
  bool add(std::string_view name, std::string_view value);
  // The same, with a name checked when compiled.
  bool add(field_name name, std::string_view value);

  // Replaces every line named `name` with one line `name: value` at the position of the first
  // of them, spelled as given here; appends it when there was none. Refuses what add() refuses.
  bool set(std::string_view name, std::string_view value);
  // The same, with a name checked when compiled.
  bool set(field_name name, std::string_view value);

  // Removes every line named `name`; returns how many there were. Never allocates.
  std::size_t erase(std::string_view name) noexcept;

  // Removes every line for which pred(field) is true, keeping the order of the rest; returns
  // how many it removed. The field passed to pred is valid only during the call; pred must not
  // throw (the lines would be left half-moved).
  template <class Predicate>
  std::size_t erase_if(Predicate pred) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      if (pred(at(i))) {
        garbage_ += lines_[i].name_size + lines_[i].value_size;
      } else {
        lines_[kept++] = lines_[i];
      }
    }
    std::size_t removed = lines_.size() - kept;
    lines_.resize(kept);
    return removed;
  }

  // The value of the first line named `name`. For a singleton that was received twice this is
  // the first value: check count() where the repetition matters.
  std::optional<std::string_view> find(std::string_view name) const noexcept;
  value_range values(std::string_view name) const noexcept { return {this, name}; }
  std::size_t count(std::string_view name) const noexcept;
  bool contains(std::string_view name) const noexcept { return find_index(name, 0) != size(); }

  // The field value of `name` as one string, combined by its traits_of(name).kind:
  //  - no line: nullopt;
  //  - one line: its value, except for never_combine fields;
  //  - several lines: list, content_length and unknown fields joined with ", ", cookie
  //    fields with "; " (RFC 9110 §5.3, RFC 9113 §8.2.3); nullopt for a singleton, because
  //    joining would forge a value its sender never sent (RFC 9110 §5.3);
  //  - never_combine (Set-Cookie): always nullopt, even for one line; use values().
  // A caller that needs to tell these apart checks contains() or traits_of().
  std::optional<std::string> combined(std::string_view name) const;

  // Whether the field `name`, read as one list across all its lines, has the element `token`
  // (list_contains_token): e.g. contains_token("Connection", "close"). If any of its lines is a
  // malformed list the whole field is, and it contains nothing (the lines are one list once
  // combined, RFC 9110 §5.3).
  bool contains_token(std::string_view name, std::string_view token) const noexcept;

  iterator begin() const noexcept { return {this, 0}; }
  iterator end() const noexcept { return {this, size()}; }
  // The line at `index` < size(), in wire order.
  field at(std::size_t index) const noexcept {
    const line& l = lines_[index];
    const std::string_view all = buffer_.view();
    return {all.substr(l.offset, l.name_size), all.substr(l.offset + l.name_size, l.value_size)};
  }
  std::size_t size() const noexcept { return lines_.size(); }
  bool empty() const noexcept { return lines_.empty(); }
  void clear() noexcept;
  // Makes room for `lines` lines holding `bytes` octets of names and values in total.
  void reserve(std::size_t lines, std::size_t bytes);

 private:
  // Index of the first line at or after `from` named `name`; size() if there is none.
  std::size_t find_index(std::string_view name, std::size_t from) const noexcept;
  // Appends name and value to buffer_, returning the offset of the name. Strong guarantee.
  std::uint32_t store(std::string_view name, std::string_view value);
  static bool acceptable(std::string_view name, std::string_view value) noexcept;
  // The value check alone, for a compiled name (a token by construction).
  static bool acceptable_value(std::size_t name_size, std::string_view value) noexcept;
  // add() and set() once the name and value are known to be acceptable.
  bool append_line(std::string_view name, std::string_view value);
  bool replace_line(std::string_view name, std::string_view value);
  bool views_own_buffer(std::string_view s) const noexcept;

  octets buffer_;
  std::vector<line> lines_;
  // Octets of buffer_ that no line refers to any more (left by erase and set); dropped when the
  // buffer next has to grow.
  std::size_t garbage_ = 0;
};

}  // namespace herald::core
