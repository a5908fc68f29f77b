-- wrk script: each request picks a random path from BENCH_PATHS, signed in with BENCH_COOKIE.
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  paths[#paths + 1] = line
end
local cookie = os.getenv("BENCH_COOKIE")
math.randomseed(os.time())

request = function()
  local path = paths[math.random(#paths)]
  return wrk.format("GET", path, { ["Cookie"] = cookie, ["Host"] = "localhost" })
end
