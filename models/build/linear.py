"""L2-regularised logistic regression over a dense block and a sparse block, trained with
scipy's L-BFGS. Same objective as scikit-learn's LogisticRegression (C * sum_i w_i loss_i +
||W||^2 / 2, intercept not penalised), but the dense block goes through BLAS instead of being
stored as a sparse matrix, which makes training ~5x faster here.

kind="softmax": y are class indices, one multinomial model over k classes.
kind="sigmoid": Y is a 0/1 matrix [N, k]: k independent binary models (multi-label) fitted
at once; rows with row_mask 0 do not count (e.g. sentences without topic labels).
"""

import numpy as np
from scipy.optimize import minimize


def fit(Xd, Xs, y, w, C, kind, max_iter=400, tol=1e-6):
    # Columns of the sparse block that never occur keep weight 0 under L2: train only the used
    # ones (fewer parameters for L-BFGS to carry) and scatter back at the end.
    used = np.unique(Xs.indices)
    full_s = Xs.shape[1]
    Xs = Xs[:, used]
    n, d = Xd.shape
    s = Xs.shape[1]
    k = int(y.max()) + 1 if kind == "softmax" else y.shape[1]
    Xs = Xs.astype(np.float64)  # avoids an upcast copy in every product
    XsT = Xs.T.tocsr()
    w = np.asarray(w, np.float64)
    if kind == "softmax":
        onehot = np.zeros((n, k), np.float32)
        onehot[np.arange(n), y] = 1
        target = onehot
    else:
        target = np.asarray(y, np.float32)

    def unpack(theta):
        Wd = theta[:d * k].reshape(d, k)
        Ws = theta[d * k:(d + s) * k].reshape(s, k)
        return Wd, Ws, theta[(d + s) * k:]

    def f(theta):
        Wd, Ws, b = unpack(theta)
        z = (Xd @ Wd.astype(np.float32)).astype(np.float64) + Xs @ Ws + b
        loss, p = _data_loss(z, kind, w, y, target)
        G = (p - target) * w[:, None]
        gWd = (Xd.T @ G.astype(np.float32)).astype(np.float64) + Wd / C
        gWs = XsT @ G + Ws / C
        loss += (np.sum(Wd * Wd) + np.sum(Ws * Ws)) / (2 * C)
        return loss, np.concatenate([gWd.ravel(), gWs.ravel(), G.sum(axis=0)])

    theta0 = np.zeros((d + s + 1) * k)
    res = minimize(f, theta0, jac=True, method="L-BFGS-B",
                   options={"maxiter": max_iter, "gtol": tol, "maxcor": 20})
    Wd, Ws, b = unpack(res.x)
    Ws_full = np.zeros((full_s, k), np.float32)
    Ws_full[used] = Ws
    return Wd.astype(np.float32), Ws_full, b.astype(np.float32), res


def _data_loss(z, kind, w, y, target):
    """Weighted data loss of logits z and the output probabilities: softmax cross-entropy
    against class ids y, or per-label logistic loss against targets."""
    if kind == "softmax":
        z = z - z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1))
        return np.sum(w * (lse - z[np.arange(len(z)), y])), np.exp(z - lse[:, None])
    # log(1 + e^z) - t z, stable
    return np.sum(w[:, None] * (np.logaddexp(0, z) - target * z)), 1 / (1 + np.exp(-z))


def predict(Xd, Xs, Wd, Ws, b, kind):
    z = Xd @ Wd + Xs @ Ws + b
    if kind == "softmax":
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
    return 1 / (1 + np.exp(-z))


def fit_mlp(Xd, Xs, y, w, C, kind, hidden=256, max_iter=400, tol=1e-6, seed=0):
    """Like fit(), but the dense block goes through one hidden ReLU layer first:
    logits = relu(Xd W1 + b1) W2 + Xs Ws + b. Returns (W1, b1, W2, Ws, b, result)."""
    used = np.unique(Xs.indices)
    full_s = Xs.shape[1]
    Xs = Xs[:, used].astype(np.float64)
    XsT = Xs.T.tocsr()
    n, d = Xd.shape
    s = Xs.shape[1]
    k = int(y.max()) + 1 if kind == "softmax" else y.shape[1]
    w = np.asarray(w, np.float64)
    if kind == "softmax":
        target = np.zeros((n, k), np.float32)
        target[np.arange(n), y] = 1
    else:
        target = np.asarray(y, np.float32)
    sizes = [d * hidden, hidden, hidden * k, s * k, k]
    offs = np.cumsum([0] + sizes)

    def unpack(theta):
        W1 = theta[offs[0]:offs[1]].reshape(d, hidden)
        b1 = theta[offs[1]:offs[2]]
        W2 = theta[offs[2]:offs[3]].reshape(hidden, k)
        Ws = theta[offs[3]:offs[4]].reshape(s, k)
        return W1, b1, W2, Ws, theta[offs[4]:offs[5]]

    def f(theta):
        W1, b1, W2, Ws, b = unpack(theta)
        a = (Xd @ W1.astype(np.float32)).astype(np.float64) + b1
        hdn = np.maximum(a, 0)
        z = hdn @ W2 + Xs @ Ws + b
        loss, p = _data_loss(z, kind, w, y, target)
        G = (p - target) * w[:, None]
        gW2 = hdn.T @ G + W2 / C
        gH = (G @ W2.T) * (a > 0)
        gW1 = (Xd.T @ gH.astype(np.float32)).astype(np.float64) + W1 / C
        gWs = XsT @ G + Ws / C
        loss += (np.sum(W1 * W1) + np.sum(W2 * W2) + np.sum(Ws * Ws)) / (2 * C)
        return loss, np.concatenate([gW1.ravel(), gH.sum(axis=0), gW2.ravel(), gWs.ravel(),
                                     G.sum(axis=0)])

    rng = np.random.RandomState(seed)
    theta0 = np.zeros(offs[-1])
    theta0[offs[0]:offs[1]] = rng.randn(d * hidden) * np.sqrt(2.0 / d)
    theta0[offs[2]:offs[3]] = rng.randn(hidden * k) * np.sqrt(1.0 / hidden) * 0.1
    res = minimize(f, theta0, jac=True, method="L-BFGS-B",
                   options={"maxiter": max_iter, "gtol": tol, "maxcor": 20})
    W1, b1, W2, Ws, b = unpack(res.x)
    Ws_full = np.zeros((full_s, k), np.float32)
    Ws_full[used] = Ws
    return (W1.astype(np.float32), b1.astype(np.float32), W2.astype(np.float32), Ws_full,
            b.astype(np.float32), res)


def predict_mlp(Xd, Xs, W1, b1, W2, Ws, b, kind):
    z = np.maximum(Xd @ W1 + b1, 0) @ W2 + Xs @ Ws + b
    if kind == "softmax":
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
    return 1 / (1 + np.exp(-z))
