# Writes tiny pytorch_model.bin files (zip and legacy layouts) the way torch.save does, without torch:
# fake torch modules so pickle emits the same GLOBAL opcodes; persistent ids as torch writes them.
import sys, types, pickle, io, struct, zipfile, collections
torch = types.ModuleType("torch"); utils = types.ModuleType("torch._utils")
sys.modules["torch"] = torch; sys.modules["torch._utils"] = utils
class FloatStorage: pass
class LongStorage: pass
FloatStorage.__module__ = "torch"; LongStorage.__module__ = "torch"
torch.FloatStorage = FloatStorage; torch.LongStorage = LongStorage
def _rebuild_tensor_v2(*a): pass
_rebuild_tensor_v2.__module__ = "torch._utils"; _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
utils._rebuild_tensor_v2 = _rebuild_tensor_v2
class Rebuild:
    def __init__(self, key, cls, n, size, stride, offset=0):
        self.key, self.cls, self.n, self.size, self.stride, self.offset = key, cls, n, size, stride, offset
    def __reduce__(self):
        return (_rebuild_tensor_v2, (Storage(self.key, self.cls, self.n), self.offset, self.size, self.stride, False, collections.OrderedDict()))
class Storage:
    def __init__(self, key, cls, n): self.key, self.cls, self.n = key, cls, n
class P(pickle.Pickler):
    def __init__(self, f, zipfmt): super().__init__(f, protocol=2); self.zipfmt = zipfmt
    def persistent_id(self, o):
        if isinstance(o, Storage):
            return ("storage", o.cls, o.key, "cpu", o.n) if self.zipfmt else ("storage", o.cls, o.key, "cpu", o.n, None)
        return None
sd = collections.OrderedDict()
sd["w"] = Rebuild("0", FloatStorage, 6, (2, 3), (3, 1))
sd["b"] = Rebuild("0", FloatStorage, 6, (3,), (1,), 3)
sd["ids"] = Rebuild("1", LongStorage, 2, (2,), (1,))
data = {"0": struct.pack("<6f", 1, 2, 3, -4.5, 1e-3, 7), "1": struct.pack("<2q", 5, -1)}
buf = io.BytesIO(); P(buf, True).dump(sd)
with zipfile.ZipFile("zip.bin", "w", zipfile.ZIP_STORED) as z:
    z.writestr("archive/data.pkl", buf.getvalue())
    z.writestr("archive/version", "3\n")
    for k, v in data.items(): z.writestr("archive/data/" + k, v)
out = io.BytesIO()
for obj in (0x1950a86a20f9469cfc6c, 1001, {"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 8}}):
    pickle.dump(obj, out, protocol=2)
P(out, False).dump(sd)
pickle.dump(list(data.keys()), out, protocol=2)
for k, v in data.items():
    out.write(struct.pack("<q", len(v) // (4 if k == "0" else 8))); out.write(v)
open("legacy.bin", "wb").write(out.getvalue())
