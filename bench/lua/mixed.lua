-- A mixed load: 90 % GET /api/v1/users/me with the bench token (passed with -H), 10 % WeChat
-- logins of the 1000 existing users (codes "<CODE_PREFIX><n>"). Refreshes are left out: they need
-- the previous answer's token on the same connection (bench/lua/refresh.lua measures them alone).
local pool = tonumber(os.getenv("CODE_POOL") or "1000")
local prefix = os.getenv("CODE_PREFIX") or "bench"
local n = 0
local headers = { ["Content-Type"] = "application/json" }
request = function()
  n = n + 1
  if n % 10 == 0 then
    return wrk.format("POST", "/api/v1/auth/wechat/login", headers, '{"code":"' .. prefix .. (n % pool) .. '"}')
  end
  return wrk.format("GET", "/api/v1/users/me")
end
dofile(os.getenv("WX_LUA_DIR") .. "/result.lua")
