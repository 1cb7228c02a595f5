#include "wechat/open_data.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <vector>

namespace wx::wechat {
namespace {

namespace json = boost::json;

constexpr std::size_t kKeySize = 16;
constexpr std::size_t kBlockSize = 16;
constexpr std::size_t kMaxPhone = 32;
constexpr unsigned kMaxJsonDepth = 16;

class OpenDataCategory final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "wechat.open_data"; }
    std::string message(int) const override { return "WeChat open data could not be decrypted"; }
};

// Bytes that held a key or personal data: wiped before the memory is released.
class SecretBytes {
public:
    explicit SecretBytes(std::size_t n) : bytes_(n) {}
    SecretBytes(SecretBytes const&) = delete;
    SecretBytes& operator=(SecretBytes const&) = delete;
    ~SecretBytes() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

    unsigned char* data() { return bytes_.data(); }
    [[nodiscard]] std::size_t size() const { return bytes_.size(); }
    void shrink(std::size_t n) { bytes_.resize(std::min(n, bytes_.size())); }  // never reallocates
    [[nodiscard]] std::string_view view() const {
        return {reinterpret_cast<char const*>(bytes_.data()), bytes_.size()};
    }

private:
    std::vector<unsigned char> bytes_;
};

struct CipherContextFree {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree>;

CipherContext new_cipher_context() {
    CipherContext ctx{EVP_CIPHER_CTX_new()};
    if (!ctx) throw std::bad_alloc{};
    return ctx;
}

// Strict base64: standard alphabet, padding required, no whitespace, nothing after the padding.
bool decode_base64(std::string_view b64, SecretBytes& out, std::size_t& len) {
    if (b64.empty()) return false;
    char const* end = nullptr;
    int const rc = sodium_base642bin(out.data(), out.size(), b64.data(), b64.size(), nullptr, &len, &end,
                                     sodium_base64_VARIANT_ORIGINAL);
    return rc == 0 && end == b64.data() + b64.size();
}

std::string encode_base64(unsigned char const* bytes, std::size_t n) {
    std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes, n, sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1);  // the terminating NUL
    return out;
}

// A base64 field that must decode to exactly `size` bytes.
bool decode_exact(std::string_view b64, SecretBytes& out) {
    std::size_t len = 0;
    return decode_base64(b64, out, len) && len == out.size();
}

std::optional<std::string_view> phone_string(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    std::string_view s = v->get_string();
    bool const printable = std::all_of(s.begin(), s.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
    if (s.empty() || s.size() > kMaxPhone || !printable) return std::nullopt;
    return s;
}

std::optional<std::int64_t> integer(json::value const& v) {
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v.get_uint64());
    return std::nullopt;
}

}  // namespace

boost::system::error_category const& open_data_category() noexcept {
    static OpenDataCategory const c;
    return c;
}

result<json::object> decrypt_open_data(std::string_view session_key,
                                       std::string_view encrypted_data,
                                       std::string_view iv,
                                       std::string_view app_id) {
    constexpr auto failed = OpenDataErrc::decrypt_failed;
    if (app_id.empty() || encrypted_data.size() > kMaxEncryptedData) return failed;

    SecretBytes key{kKeySize};
    SecretBytes iv_bytes{kBlockSize};
    // Base64 never decodes to more bytes than 3/4 of its length.
    SecretBytes ciphertext{encrypted_data.size() / 4 * 3 + 3};
    std::size_t ciphertext_len = 0;
    if (!decode_exact(session_key, key) || !decode_exact(iv, iv_bytes) ||
        !decode_base64(encrypted_data, ciphertext, ciphertext_len))
        return failed;
    if (ciphertext_len == 0 || ciphertext_len % kBlockSize != 0) return failed;

    // EVP_DecryptFinal_ex checks the padding strictly: a last byte n in 1..16 and n bytes equal to n.
    SecretBytes plaintext{ciphertext_len + kBlockSize};
    CipherContext ctx = new_cipher_context();
    int update_len = 0;
    int final_len = 0;
    if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, key.data(), iv_bytes.data()) != 1 ||
        EVP_DecryptUpdate(ctx.get(), plaintext.data(), &update_len, ciphertext.data(),
                          static_cast<int>(ciphertext_len)) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), plaintext.data() + update_len, &final_len) != 1)
        return failed;
    plaintext.shrink(static_cast<std::size_t>(update_len) + static_cast<std::size_t>(final_len));

    json::parse_options opts;
    opts.max_depth = kMaxJsonDepth;
    error_code ec;
    json::value v = json::parse(plaintext.view(), ec, {}, opts);
    if (ec || !v.is_object()) return failed;
    auto const* watermark = v.as_object().if_contains("watermark");
    if (!watermark || !watermark->is_object()) return failed;
    auto const* appid = watermark->get_object().if_contains("appid");
    auto const* timestamp = watermark->get_object().if_contains("timestamp");
    if (!appid || !appid->is_string() || appid->get_string() != app_id) return failed;
    if (!timestamp || !integer(*timestamp)) return failed;
    return std::move(v.as_object());
}

result<PhoneInfo> decrypt_phone_number(std::string_view session_key,
                                       std::string_view encrypted_data,
                                       std::string_view iv,
                                       std::string_view app_id) {
    constexpr auto failed = OpenDataErrc::decrypt_failed;
    auto data = decrypt_open_data(session_key, encrypted_data, iv, app_id);
    if (!data) return data.error();
    auto phone = phone_string(*data, "phoneNumber");
    auto pure = phone_string(*data, "purePhoneNumber");
    if (!phone || !pure) return failed;
    std::string country;
    auto const* cc = data->if_contains("countryCode");
    if (!cc) return failed;
    if (cc->is_string()) {
        auto s = phone_string(*data, "countryCode");
        if (!s) return failed;
        country = std::string{*s};
    } else if (auto n = integer(*cc); n && *n >= 0 && *n < 100000) {
        country = std::to_string(*n);
    } else {
        return failed;
    }
    return PhoneInfo{std::string{*phone}, std::string{*pure}, std::move(country)};
}

EncryptedData encrypt_open_data(std::string_view session_key, std::string_view plaintext) {
    SecretBytes key{kKeySize};
    if (!decode_exact(session_key, key)) throw std::invalid_argument("session_key is not base64 of 16 bytes");
    if (plaintext.size() > kMaxEncryptedData) throw std::invalid_argument("open data plaintext too long");
    std::array<unsigned char, kBlockSize> iv{};
    if (RAND_bytes(iv.data(), static_cast<int>(iv.size())) != 1) throw std::runtime_error("RAND_bytes failed");

    std::vector<unsigned char> ciphertext(plaintext.size() + kBlockSize);
    CipherContext ctx = new_cipher_context();
    int update_len = 0;
    int final_len = 0;
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, key.data(), iv.data()) != 1 ||
        EVP_EncryptUpdate(ctx.get(), ciphertext.data(), &update_len,
                          reinterpret_cast<unsigned char const*>(plaintext.data()),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), ciphertext.data() + update_len, &final_len) != 1)
        throw std::runtime_error("AES-128-CBC encryption failed");
    std::size_t const n = static_cast<std::size_t>(update_len) + static_cast<std::size_t>(final_len);
    return EncryptedData{encode_base64(ciphertext.data(), n), encode_base64(iv.data(), iv.size())};
}

}  // namespace wx::wechat
