-- Refresh-token rotation: each connection logs in once by WeChat, then presents the refresh token
-- of the previous answer, again and again. Tokens rotate, so a connection must see each answer
-- before its next request: run it with one connection per thread (wrk -t2 -c2), where wrk
-- alternates request and response. Only the refreshes after the first login are the point; the
-- first login of each connection is one request among thousands.
local token = nil
local nthreads = 0
function setup(thread)
  thread:set("tid", nthreads)
  nthreads = nthreads + 1
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  if token == nil then
    return wrk.format(nil, "/api/v1/auth/wechat/login", nil, '{"code":"refresh' .. (tid or 0) .. '"}')
  end
  return wrk.format(nil, "/api/v1/auth/refresh", nil, '{"refresh_token":"' .. token .. '"}')
end
response = function(status, headers, body)
  token = body:match('"refresh_token":"([^"]+)"')
end
dofile(os.getenv("WX_LUA_DIR") .. "/result.lua")
