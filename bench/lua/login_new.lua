-- First-time WeChat logins: every request sends a code never sent before, so the fake upstream
-- answers a new openid and every login creates a user. Codes are "new<start time>_<thread>_<n>":
-- distinct across threads and across runs (the warm-up's users are never met again).
local nthreads = 0
function setup(thread)
  thread:set("tid", nthreads)
  nthreads = nthreads + 1
end
local n = 0
local prefix
function init(args)
  prefix = "new" .. os.time() .. "_" .. (tid or 0) .. "_"
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"code":"' .. prefix .. n .. '"}')
end
dofile(os.getenv("WX_LUA_DIR") .. "/result.lua")
