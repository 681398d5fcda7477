#pragma once
// A set of flags drawn from an enum whose enumerators are distinct bits: the fields a status
// calls for (status.hpp), the Accept* fields a negotiation depended on (negotiation.hpp). A plain
// value, one integer of the enum's underlying type.

#include <type_traits>

namespace herald::core {

template <class Flag>
requires std::is_enum_v<Flag>
class flag_set {
 public:
  using bits_type = std::underlying_type_t<Flag>;

  constexpr flag_set() = default;
  // Implicit, so that a single flag stands wherever a set is expected.
  constexpr flag_set(Flag f) : bits_(static_cast<bits_type>(f)) {}

  constexpr bool contains(Flag f) const { return (bits_ & static_cast<bits_type>(f)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr bits_type bits() const { return bits_; }

  friend constexpr flag_set operator|(flag_set a, flag_set b) {
    flag_set r;
    r.bits_ = static_cast<bits_type>(a.bits_ | b.bits_);
    return r;
  }
  friend constexpr bool operator==(flag_set, flag_set) = default;

 private:
  bits_type bits_ = 0;
};

}  // namespace herald::core
