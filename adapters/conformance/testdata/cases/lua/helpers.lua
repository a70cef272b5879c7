-- Functions shared by pre and post of the sources case.
function tag(s)
  return "[" .. s .. "]"
end
