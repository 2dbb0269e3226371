import os; FT = os.environ.get('FT_DIR', '.') + '/'; DATA = os.environ.get('SHARED_DATA', '../shared/data') + '/'  # working folder (models, caches) and the shared data
import csv, json, numpy as np, time, os
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression
from tokenizers import Tokenizer

TOK = FT + 'fp32/bge-small-en-v1.5-tokenizer.json'
MAXLEN = 64

def banking_split():
    rows = list(csv.DictReader(open(DATA + 'banking77/train.csv')))
    X = [r['text'] for r in rows]; y = [r['category'] for r in rows]
    Xtr, Xdv, ytr, ydv = train_test_split(X, y, test_size=0.2, random_state=13, stratify=y)
    return Xtr, Xdv, ytr, ydv

def clinc_split():
    d = json.load(open(DATA + 'clinc150/data_full_train_val.json'))
    tr, va = d['train'], d['val']
    return [t for t, _ in tr], [t for t, _ in va], [l for _, l in tr], [l for _, l in va]

def tokenizer(maxlen=MAXLEN):
    tok = Tokenizer.from_file(TOK)
    tok.enable_truncation(maxlen); tok.enable_padding()
    return tok

def batches(tok, texts, bs=64):
    for i in range(0, len(texts), bs):
        enc = tok.encode_batch(texts[i:i+bs])
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        am = np.array([e.attention_mask for e in enc], dtype=np.int64)
        yield ids, am, np.zeros_like(ids)

def l2(x): return x / np.linalg.norm(x, axis=1, keepdims=True)

def embed_onnx(path, texts, threads=2):
    import onnxruntime as ort
    so = ort.SessionOptions(); so.intra_op_num_threads = threads
    s = ort.InferenceSession(path, so)
    out = [s.run(None, {'input_ids': a, 'attention_mask': b, 'token_type_ids': c})[0][:, 0] for a, b, c in batches(tokenizer(), texts)]
    return l2(np.concatenate(out))

def embed_torch(model, texts):
    import torch
    model.eval(); out = []
    with torch.no_grad():
        for a, b, c in batches(tokenizer(), texts):
            out.append(model(input_ids=torch.tensor(a), attention_mask=torch.tensor(b), token_type_ids=torch.tensor(c)).last_hidden_state[:, 0].numpy())
    return l2(np.concatenate(out))

def lr_eval(Etr, ytr, Edv, ydv, Cs=(10, 20, 30)):
    res = {}
    for C in Cs:
        clf = LogisticRegression(C=C, max_iter=2000)
        clf.fit(Etr, ytr)
        res[C] = float((clf.predict(Edv) == np.array(ydv)).mean())
    return res
