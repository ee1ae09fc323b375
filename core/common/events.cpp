#include "common/events.h"

namespace loadlens {

std::string_view signatureStateName(SignatureState state)
{
    switch (state) {
    case SignatureState::Unknown: return "unknown";
    case SignatureState::Valid: return "valid";
    case SignatureState::Unsigned: return "unsigned";
    case SignatureState::Invalid: return "invalid";
    case SignatureState::Expired: return "expired";
    case SignatureState::Revoked: return "revoked";
    case SignatureState::Unavailable: return "unavailable";
    }
    return "unknown";
}

} // namespace loadlens
