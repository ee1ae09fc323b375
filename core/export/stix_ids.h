#pragma once
// STIX 2.1 identifiers (spec section 2.9): "type--UUID". Cyber-observables with ID
// contributing properties get a UUIDv5 of their canonical JSON (RFC 8785) in the STIX
// namespace, so the same file gets the same id from any producer; everything else a UUIDv4.
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loadlens::exporting {

using Uuid = std::array<std::uint8_t, 16>;

inline constexpr std::string_view kStixScoNamespace = "00abedb4-aa42-466c-9c01-fed23315a9b7";

std::optional<Uuid> parseUuid(std::string_view text);
std::string uuidText(const Uuid &uuid);  // lower-case 8-4-4-4-12
std::string uuid4();                     // random (std::random_device: getrandom / /dev/urandom)
std::string uuid5(const Uuid &ns, std::string_view name);

// RFC 8785 canonical form of the JSON LoadLens puts into ID contributing properties (objects,
// strings, integers): members sorted, no white space, strings escaped as ECMAScript does.
std::string canonicalJson(const nlohmann::json &value);

std::string stixScoId(std::string_view type, const nlohmann::json &contributingProperties);
std::string stixRandomId(std::string_view type);

} // namespace loadlens::exporting
