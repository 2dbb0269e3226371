import os; FT = os.environ.get('FT_DIR', '.') + '/'; DATA = os.environ.get('SHARED_DATA', '../shared/data') + '/'  # working folder (models, caches) and the shared data
# Rebuild a HF BertModel from the langchain4j bge-small-en-v1.5 ONNX (fp32) and verify against onnxruntime.
import onnx, numpy as np, torch, sys
from onnx import numpy_helper
from transformers import BertConfig, BertModel
from tokenizers import Tokenizer
import onnxruntime as ort

ONNX = FT + 'fp32/bge-small-en-v1.5.onnx'
TOK = FT + 'fp32/bge-small-en-v1.5-tokenizer.json'
m = onnx.load(ONNX)
inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
# map anonymous MatMul weights -> linear name via the Add that consumes the MatMul output with a named bias
consumers = {}
for n in m.graph.node:
    for i in n.input: consumers.setdefault(i, []).append(n)
sd = {}
for n in m.graph.node:
    if n.op_type != 'MatMul': continue
    w = [i for i in n.input if i in inits]
    if not w: continue
    w = w[0]
    found = None
    for c in consumers.get(n.output[0], []):
        if c.op_type == 'Add':
            for i in c.input:
                if i.endswith('.bias') and i in inits: found = i[:-5]
    assert found, n.name
    sd[found + '.weight'] = torch.tensor(inits[w].T.copy())
for k, v in inits.items():
    if not k.startswith('onnx::'): sd[k] = torch.tensor(v.copy())
cfg = BertConfig(vocab_size=30522, hidden_size=384, num_hidden_layers=12, num_attention_heads=12,
                 intermediate_size=1536, max_position_embeddings=512, type_vocab_size=2, layer_norm_eps=1e-12)
model = BertModel(cfg, add_pooling_layer=False)
missing, unexpected = model.load_state_dict(sd, strict=False)
print('missing', missing, 'unexpected', unexpected)
model.eval()
torch.save(model.state_dict(), FT + 'bge_small_torch.pt')

tok = Tokenizer.from_file(TOK)
tok.enable_truncation(128); tok.enable_padding()
texts = ["I am still waiting on my card?", "How do I top up with Apple Pay?", "My transfer failed, why?",
         "What can I do if my card still hasn't arrived after 2 weeks?", "hello"]
enc = tok.encode_batch(texts)
ids = np.array([e.ids for e in enc], dtype=np.int64); am = np.array([e.attention_mask for e in enc], dtype=np.int64)
tt = np.zeros_like(ids)
sess = ort.InferenceSession(ONNX)
o = sess.run(None, {'input_ids': ids, 'attention_mask': am, 'token_type_ids': tt})[0][:, 0]
with torch.no_grad():
    t = model(input_ids=torch.tensor(ids), attention_mask=torch.tensor(am), token_type_ids=torch.tensor(tt)).last_hidden_state[:, 0].numpy()
o /= np.linalg.norm(o, axis=1, keepdims=True); t /= np.linalg.norm(t, axis=1, keepdims=True)
cos = (o * t).sum(1)
print('cosine torch vs onnx CLS:', cos, 'min', cos.min())
