"""Deep Q-learning (the book's chapter 21): an online agent for Gymnasium."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
import math
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from sklearn_mathdl._base import (
    _FULL_BATCH,
    _OPTIMIZERS,
    _check_optimizer_kwargs,
    _kernel_kwargs,
)
from sklearn_mathdl._modules._mlp import (
    ACTIVATIONS,
    _MLPModule,
    _named_scaling,
    scaling_lr_factor,
)
from sklearn_mathdl.rl._evaluation import run_greedy_episodes
from sklearn_mathdl.rl._spaces import _Encoder, make_env
from sklearn_mathdl.utils import check_device
from sklearn_mathdl.utils._compat import Interval, StrOptions, _fit_context
from sklearn_mathdl.utils._doc_link import _DocLinkMixin
from sklearn_mathdl.utils._seeding import draw_seed, torch_seed
from sklearn_mathdl.utils._validation import check_hidden_layer_sizes

_INFERENCE_CHUNK = 8192


class _ReplayBuffer:
    """A ring buffer of transitions (s, a, r, s', terminated) in NumPy."""

    def __init__(self, capacity, n_features):
        self.capacity = int(capacity)
        self.obs = np.zeros((self.capacity, n_features), dtype=np.float32)
        self.next_obs = np.zeros((self.capacity, n_features), dtype=np.float32)
        self.actions = np.zeros(self.capacity, dtype=np.int64)
        self.rewards = np.zeros(self.capacity, dtype=np.float32)
        self.terminated = np.zeros(self.capacity, dtype=np.float32)
        self.size = 0
        self._next = 0

    def add(self, obs, action, reward, next_obs, terminated):
        i = self._next
        self.obs[i] = obs
        self.actions[i] = action
        self.rewards[i] = reward
        self.next_obs[i] = next_obs
        self.terminated[i] = terminated
        self._next = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size, rng):
        idx = rng.integers(0, self.size, size=batch_size)
        return self.batch(idx)

    def batch(self, idx):
        return (
            self.obs[idx],
            self.actions[idx],
            self.rewards[idx],
            self.next_obs[idx],
            self.terminated[idx],
        )


@dataclass
class _Training:
    """The state of one call to ``fit``: installed on the agent only when the
    call succeeds, so a failed fit leaves a previous model as it was."""

    q_network: torch.nn.Module
    target: torch.nn.Module
    optimizer: torch.optim.Optimizer
    buffer: _ReplayBuffer
    rng: np.random.Generator
    encoder: _Encoder
    n_actions: int
    device: torch.device
    total_steps: int
    episode_returns: list = field(default_factory=list)
    episode_lengths: list = field(default_factory=list)
    td_losses: list = field(default_factory=list)
    gradient_steps: int = 0
    best_mean_return: float = -math.inf
    best_state: dict = None


class DeepQLearning(_DocLinkMixin, BaseEstimator):
    """Deep Q-learning: a neural Q-function learnt online from an environment.

    The environment is a Gymnasium one with a discrete action space.

    The agent acts epsilon-greedily with respect to its Q-network, stores the
    transitions in a replay buffer, and every ``train_freq`` environment steps
    takes ``gradient_steps`` steps of the temporal-difference loss
    ``(Q(s, a) - r - discount * max_a' Q_target(s', a'))^2`` (Huber by
    default) on minibatches drawn from the buffer (Mnih et al. 2015). The
    target network is a copy of the Q-network refreshed every
    ``target_update_interval`` gradient steps. With ``replay=False`` and
    ``target_update_interval=1`` it is the plain Q-learning of the book's
    section 21.4: one stochastic-gradient step on each transition as it
    happens, towards a target computed with the current network.

    Read more in the :ref:`User Guide <reinforcement_learning>`.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(256, 256)
        Hidden widths of the Q-network (observation in, one output per
        action). ``()`` is a linear Q-function (tabular Q-learning for
        one-hot observations).

    activation : {"relu", "tanh", "sigmoid", "gelu", "identity"}, default="relu"
        Activation of the hidden layers.

    scaling : {"standard", "ntk"}, default="standard"
        Parametrization of a one-hidden-layer Q-network. "ntk" is the book's
        ``Q(s, a) = N^(-1/2) sum_i c_i sigma(w_i . s + b_i)`` with N(0, 1)
        parameters, the scaling of its Theorem 21.6 on the convergence of
        Q-learning as the width N grows.

    discount : float, default=0.99
        Discount factor of the returns, in [0, 1).

    exploration_initial_eps : float, default=1.0
        Probability of a uniformly random action at the first step.

    exploration_final_eps : float, default=0.04
        Probability of a random action after the exploration phase.

    exploration_fraction : float, default=0.16
        Fraction of ``total_steps`` over which epsilon decreases linearly from
        its initial to its final value.

    replay : bool, default=True
        Train on minibatches drawn from a replay buffer. False: one step on
        each transition as it is observed (``train_freq``, ``gradient_steps``,
        ``batch_size``, ``buffer_size`` and ``learning_starts`` do not apply).

    buffer_size : int, default=100_000
        Transitions the replay buffer keeps (the oldest are overwritten).

    batch_size : int, default=64
        Transitions per gradient step.

    learning_starts : int, default=1000
        Environment steps before the first gradient step.

    train_freq : int, default=256
        Environment steps between two rounds of training.

    gradient_steps : int, default=128
        Gradient steps per round of training.

    target_update_interval : int or None, default=None
        Gradient steps between two refreshes of the target network. None:
        once per round of training (every ``gradient_steps`` steps). 1: no
        separate target network.

    double_q : bool, default=True
        Double Q-learning (van Hasselt et al. 2016): the online network picks
        the next action, the target network values it, which removes the
        upward bias of ``max``.

    loss : {"huber", "squared_error"}, default="huber"
        Temporal-difference loss; Huber's (smooth L1) bounds the gradient of
        large TD errors.

    optimizer : {"adam", "sgd", "adamw", "adamax", "rmsprop", "adagrad"}, \
            default="adam"
        The optimizer (from :mod:`torch.optim`).

    learning_rate_init : float, default=2.3e-3
        Step size. Under ``optimizer="sgd"`` with ``scaling="ntk"`` it is the
        step of the 1/sqrt(N)-scaled network as it is.

    learning_rate : {"linear", "constant"}, default="linear"
        Step-size schedule: "linear" decreases it to 0 at the last
        environment step, so the last rounds of training refine rather than
        overwrite the Q-function (on CartPole a constant step let a policy that
        had reached the maximum return lose it again); "constant" keeps
        ``learning_rate_init``.

    keep : {"best", "last"}, default="best"
        The Q-network the fit returns: "best" is the one at the end of the
        10 consecutive training episodes with the highest mean return (no
        extra environment steps are spent to rank them), "last" the final one.

    optimizer_params : dict, default=None
        Extra keyword arguments of the optimizer (copied, never mutated).

    max_grad_norm : float or None, default=10.0
        Clip the gradient's norm to this value; None: no clipping.

    warm_start : bool, default=False
        When True, ``fit`` continues from the previous call's Q-network,
        target network, optimizer state, replay buffer and random generator
        (the exploration and step-size schedules restart over the new
        ``total_steps``); the fitted curves then hold every call's episodes.

    random_state : int, RandomState instance or None, default=None
        Seeds the initialization, the exploration, the replay draws and the
        environment's first reset. Pass an int for reproducible results
        across calls.

    device : {"cpu", "cuda", "mps", "auto"} or torch.device, default="cpu"
        Device to train on. "auto" picks CUDA, then MPS, then the CPU.

    verbose : int, default=0
        Show a progress bar of environment steps with the last episode's
        return when positive.

    Attributes
    ----------
    q_network_ : torch.nn.Module
        The trained Q-network (in eval mode, on ``device``).

    n_actions_ : int
        Number of actions.

    n_features_in_ : int
        Length of an encoded observation (a Discrete space is one-hot).

    n_steps_ : int
        Environment steps of the last call to ``fit``.

    episode_returns_ : ndarray of shape (n_episodes,)
        Undiscounted return of each completed training episode.

    episode_lengths_ : ndarray of shape (n_episodes,)
        Steps of each completed training episode.

    td_loss_curve_ : ndarray of shape (n_gradient_steps,)
        Temporal-difference loss of each gradient step.

    See Also
    --------
    sklearn_mathdl.rl.value_iteration : The optimal Q-function of a known
        finite model.

    Notes
    -----
    Episodes cut by a time limit (``truncated``) bootstrap from the next
    state; only a terminal state (``terminated``) has value 0.

    References
    ----------
    .. [1] Mnih et al. "Human-level control through deep reinforcement
       learning." Nature 518 (2015).
    .. [2] Sirignano and Spiliopoulos. "Asymptotics of reinforcement learning
       with neural networks." Stochastic Systems 12 (2022).

    Examples
    --------
    >>> from sklearn_mathdl.rl import DeepQLearning, GridWorld
    >>> agent = DeepQLearning(hidden_layer_sizes=(32,), learning_starts=100,
    ...                       random_state=0).fit(GridWorld(), total_steps=2000)
    >>> agent.predict([0, 1]).shape
    (2,)
    >>> agent.predict_q([0]).shape
    (1, 4)
    """

    # fit(env), not fit(X, y): not an estimator for scikit-learn's checks
    # (utils.discovery.all_estimators leaves it out)
    _learns_from_environment = True

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [Interval(Integral, 0, None, closed="left"), tuple, list],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "scaling": [StrOptions({"standard", "ntk"})],
        "discount": [Interval(Real, 0, 1, closed="left")],
        "exploration_initial_eps": [Interval(Real, 0, 1, closed="both")],
        "exploration_final_eps": [Interval(Real, 0, 1, closed="both")],
        "exploration_fraction": [Interval(Real, 0, 1, closed="both")],
        "replay": ["boolean"],
        "buffer_size": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_starts": [Interval(Integral, 0, None, closed="left")],
        "train_freq": [Interval(Integral, 1, None, closed="left")],
        "gradient_steps": [Interval(Integral, 1, None, closed="left")],
        "target_update_interval": [Interval(Integral, 1, None, closed="left"), None],
        "double_q": ["boolean"],
        "loss": [StrOptions({"huber", "squared_error"})],
        "optimizer": [StrOptions(set(_OPTIMIZERS) - set(_FULL_BATCH))],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "learning_rate": [StrOptions({"constant", "linear"})],
        "keep": [StrOptions({"best", "last"})],
        "optimizer_params": [dict, None],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "device": [str, torch.device],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(256, 256),
        *,
        activation="relu",
        scaling="standard",
        discount=0.99,
        exploration_initial_eps=1.0,
        exploration_final_eps=0.04,
        exploration_fraction=0.16,
        replay=True,
        buffer_size=100_000,
        batch_size=64,
        learning_starts=1000,
        train_freq=256,
        gradient_steps=128,
        target_update_interval=None,
        double_q=True,
        loss="huber",
        optimizer="adam",
        learning_rate_init=2.3e-3,
        learning_rate="linear",
        keep="best",
        optimizer_params=None,
        max_grad_norm=10.0,
        warm_start=False,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.scaling = scaling
        self.discount = discount
        self.exploration_initial_eps = exploration_initial_eps
        self.exploration_final_eps = exploration_final_eps
        self.exploration_fraction = exploration_fraction
        self.replay = replay
        self.buffer_size = buffer_size
        self.batch_size = batch_size
        self.learning_starts = learning_starts
        self.train_freq = train_freq
        self.gradient_steps = gradient_steps
        self.target_update_interval = target_update_interval
        self.double_q = double_q
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.keep = keep
        self.optimizer_params = optimizer_params
        self.max_grad_norm = max_grad_norm
        self.warm_start = warm_start
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # ------------------------------------------------------------ set up
    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        return (sizes,) if isinstance(sizes, Integral) else tuple(sizes)

    def _check_env(self, env):
        n = getattr(env.action_space, "n", None)
        if n is None or getattr(env.action_space, "shape", None) != ():
            raise ValueError(
                "DeepQLearning needs a discrete action space (gymnasium.spaces."
                f"Discrete); got {env.action_space!r}."
            )
        if getattr(env.action_space, "start", 0) != 0:
            raise ValueError("The Discrete action space must start at 0.")
        return int(n)

    def _build_q_network(self, n_features, n_actions):
        sizes = self._hidden_sizes()
        check_hidden_layer_sizes(sizes)
        if self.scaling == "ntk" and len(sizes) != 1:
            raise ValueError(
                "scaling='ntk' (the book's 1/sqrt(N) Q-network) is defined for one "
                f"hidden layer; got hidden_layer_sizes={sizes}."
            )
        return _MLPModule(
            n_features,
            n_actions,
            hidden_layer_sizes=sizes,
            activation=self.activation,
            scaling=self.scaling,
        )

    def _learning_rate(self):
        sizes = self._hidden_sizes()
        if self.optimizer == "sgd" and _named_scaling(self.scaling) != "standard":
            return self.learning_rate_init * scaling_lr_factor(self.scaling, sizes[0])
        return self.learning_rate_init

    def _make_optimizer(self, module, device):
        user = dict(self.optimizer_params or {})
        kwargs = {
            "lr": self._learning_rate(),
            **_kernel_kwargs(self.optimizer, device, user),
        }
        kwargs.update(user)
        _check_optimizer_kwargs(
            self.optimizer, kwargs, device, "optimizer_params", self.optimizer_params
        )
        return _OPTIMIZERS[self.optimizer](module.parameters(), **kwargs)

    def _start(self, encoder, n_actions, device, seed, total_steps):
        with torch_seed(seed, device):
            q_network = self._build_q_network(encoder.n_features, n_actions).to(device)
        if self.target_update_interval == 1:
            target = q_network  # no separate target network
        else:
            target = copy.deepcopy(q_network).requires_grad_(False)
        capacity = self.buffer_size if self.replay else 1
        return _Training(
            q_network=q_network,
            target=target,
            optimizer=self._make_optimizer(q_network, device),
            buffer=_ReplayBuffer(capacity, encoder.n_features),
            rng=np.random.default_rng(seed),
            encoder=encoder,
            n_actions=n_actions,
            device=device,
            total_steps=total_steps,
        )

    # ------------------------------------------------------------ acting
    def _epsilon(self, step, total_steps):
        span = self.exploration_fraction * total_steps
        if span <= 0 or step >= span:
            return self.exploration_final_eps
        frac = step / span
        return self.exploration_initial_eps + frac * (
            self.exploration_final_eps - self.exploration_initial_eps
        )

    @staticmethod
    def _greedy(q_network, obs_row, device):
        with torch.inference_mode():
            q = q_network(torch.as_tensor(obs_row, device=device).unsqueeze(0))
        return int(q.argmax(dim=1).item())

    def _act(self, run, obs_row, step):
        """Epsilon-greedy: a uniform action with probability epsilon (no
        forward pass then), else the greedy one."""
        if run.rng.random() < self._epsilon(step, run.total_steps):
            return int(run.rng.integers(run.n_actions))
        return self._greedy(run.q_network, obs_row, run.device)

    # ------------------------------------------------------------ learning
    def _td_step(self, run, batch):
        obs, actions, rewards, next_obs, terminated = (
            torch.as_tensor(a, device=run.device) for a in batch
        )
        with torch.no_grad():
            next_q = run.target(next_obs)
            if self.double_q:
                best = run.q_network(next_obs).argmax(dim=1, keepdim=True)
                next_value = next_q.gather(1, best).squeeze(1)
            else:
                next_value = next_q.max(dim=1).values
            target = rewards + self.discount * (1.0 - terminated) * next_value
        q = run.q_network(obs).gather(1, actions.unsqueeze(1)).squeeze(1)
        if self.loss == "huber":
            loss = torch.nn.functional.smooth_l1_loss(q, target)
        else:
            loss = torch.nn.functional.mse_loss(q, target)
        run.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.max_grad_norm is not None:
            # one multi-tensor kernel (torch loops per parameter on the CPU)
            torch.nn.utils.clip_grad_norm_(
                run.q_network.parameters(), self.max_grad_norm, foreach=True
            )
        run.optimizer.step()
        run.gradient_steps += 1
        return loss.detach()

    def _train_round(self, run, n_steps):
        """``n_steps`` gradient steps; the target network is refreshed on its
        schedule. TD losses stay on the device until the fit ends (no host
        sync per step)."""
        interval = self.target_update_interval or self.gradient_steps
        for _ in range(n_steps):
            if interval > 1 and run.gradient_steps % interval == 0:
                run.target.load_state_dict(run.q_network.state_dict())
            if self.replay:
                batch = run.buffer.sample(self.batch_size, run.rng)
            else:  # the transition just observed (a buffer of one)
                batch = run.buffer.batch(np.zeros(1, dtype=np.int64))
            run.td_losses.append(self._td_step(run, batch))

    def _learn(self, run, step):
        """After environment step ``step``: train when the schedule says so
        (every step without replay; with it, a round every ``train_freq``
        steps once ``learning_starts`` have passed)."""
        if self.replay:
            done = step + 1
            if done < self.learning_starts or done % self.train_freq:
                return
        self._set_learning_rate(run, step)
        self._train_round(run, self.gradient_steps if self.replay else 1)
        if self.replay or (step + 1) % self.train_freq == 0:
            self._check_finite(run)

    def _set_learning_rate(self, run, step):
        """The step size of the next round: constant, or decreasing linearly
        to 0 at the last environment step."""
        factor = 1.0
        if self.learning_rate == "linear":
            factor = 1.0 - step / run.total_steps
        for group in run.optimizer.param_groups:
            group["lr"] = self._learning_rate() * factor

    # episodes whose mean return ranks the Q-networks for keep="best"
    _best_window = 10

    def _end_episode(self, run, episode_return, episode_length):
        """Record an episode; for keep="best", snapshot the Q-network when the
        mean return of the last ``_best_window`` episodes is the highest yet."""
        run.episode_returns.append(episode_return)
        run.episode_lengths.append(episode_length)
        if self.keep != "best" or len(run.episode_returns) < self._best_window:
            return
        mean = float(np.mean(run.episode_returns[-self._best_window :]))
        if mean >= run.best_mean_return:
            run.best_mean_return = mean
            run.best_state = {
                k: v.detach().clone() for k, v in run.q_network.state_dict().items()
            }

    def _check_finite(self, run):
        if run.td_losses and not math.isfinite(float(run.td_losses[-1])):
            raise ValueError(
                "DeepQLearning: the temporal-difference loss became non-finite "
                "(the Q-values diverged). Try a smaller learning_rate_init, a "
                "smaller discount, max_grad_norm, or rescaled rewards."
            )

    # ------------------------------------------------------------ the loop
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, env, total_steps=50_000):
        """Train the agent for ``total_steps`` environment steps.

        Parameters
        ----------
        env : gymnasium.Env or str
            An environment with a discrete action space and a Box or Discrete
            observation space, or its Gymnasium id (made with
            :func:`gymnasium.make`).

        total_steps : int, default=50_000
            Environment steps to train for (across episodes).

        Returns
        -------
        self : DeepQLearning
            The trained agent.
        """
        if not isinstance(total_steps, Integral) or total_steps < 1:
            raise ValueError(
                f"total_steps must be a positive int; got {total_steps!r}."
            )
        env = make_env(env)
        n_actions = self._check_env(env)
        encoder = _Encoder.from_space(env.observation_space)
        if self.warm_start and getattr(self, "_training", None) is not None:
            run, env_seed = self._continue(encoder, n_actions, int(total_steps))
        else:
            device = check_device(self.device)
            rng = np.random.RandomState(draw_seed(self.random_state))
            seed, env_seed = (int(s) for s in rng.randint(2**31 - 1, size=2))
            run = self._start(encoder, n_actions, device, seed, int(total_steps))
        env.action_space.seed(env_seed)
        self._collect_and_train(env, run, env_seed)
        self._install(run)
        return self

    def _continue(self, encoder, n_actions, total_steps):
        """A warm start: a copy of the last fit's state (network, target,
        optimizer, replay buffer, random generator), so that a failure leaves
        the fitted agent as it was; schedules restart over ``total_steps``."""
        if n_actions != self.n_actions_ or encoder != self._encoder:
            raise ValueError(
                "warm_start=True continues on an environment with the same "
                f"spaces: the agent has {self.n_actions_} actions and "
                f"{self.n_features_in_} observation features, the environment "
                f"{n_actions} and {encoder.n_features}."
            )
        run = copy.deepcopy(self._training)
        run.total_steps = total_steps
        run.best_mean_return, run.best_state = -math.inf, None
        run.q_network.train()
        env_seed = int(run.rng.integers(2**31 - 1))
        return run, env_seed

    def _collect_and_train(self, env, run, env_seed):
        """The environment loop: act, store, learn; episodes restart on
        termination or truncation."""
        bar = None
        if self.verbose:
            from tqdm.auto import tqdm

            bar = tqdm(total=run.total_steps, desc="DeepQLearning", unit="step")
        obs, _ = env.reset(seed=env_seed)
        obs = run.encoder.one(obs)
        episode_return, episode_length = 0.0, 0
        try:
            for step in range(run.total_steps):
                action = self._act(run, obs, step)
                next_obs, reward, terminated, truncated, _ = env.step(action)
                next_obs = run.encoder.one(next_obs)
                run.buffer.add(obs, action, reward, next_obs, float(terminated))
                episode_return += float(reward)
                episode_length += 1
                self._learn(run, step)
                obs = next_obs
                if terminated or truncated:
                    self._end_episode(run, episode_return, episode_length)
                    if bar is not None:
                        bar.set_postfix(return_=f"{episode_return:.4g}", refresh=False)
                    episode_return, episode_length = 0.0, 0
                    obs = run.encoder.one(env.reset()[0])
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
        self._check_finite(run)

    def _install(self, run):
        """The fitted attributes, from a fit that succeeded."""
        if self.keep == "best" and run.best_state is not None:
            run.q_network.load_state_dict(run.best_state)
        run.q_network.eval()
        self.q_network_ = run.q_network
        self._training = run
        self._encoder = run.encoder
        self._device = run.device
        self.n_actions_ = run.n_actions
        self.n_features_in_ = run.encoder.n_features
        self.n_steps_ = run.total_steps
        # with warm starts: every call's episodes and steps, in order
        self.episode_returns_ = np.asarray(run.episode_returns, dtype=float)
        self.episode_lengths_ = np.asarray(run.episode_lengths, dtype=np.int64)
        if run.td_losses:
            losses = torch.stack(run.td_losses).cpu().numpy()
            self.td_loss_curve_ = losses.astype(float)
        else:
            self.td_loss_curve_ = np.zeros(0)

    # ------------------------------------------------------------ inference
    def predict_q(self, observations):
        """Return the Q-value of each action.

        Parameters
        ----------
        observations : array-like of shape (n_observations, n_features) or \
                (n_observations,)
            Observations of the environment's space (state indices for a
            Discrete space).

        Returns
        -------
        q : ndarray of shape (n_observations, n_actions)
            The Q-network's values, float32 NumPy on the CPU.
        """
        check_is_fitted(self, "q_network_")
        X = self._encoder.many(observations)
        out = []
        with torch.no_grad():
            for start in range(0, X.shape[0], _INFERENCE_CHUNK):
                chunk = torch.as_tensor(X[start : start + _INFERENCE_CHUNK])
                out.append(self.q_network_(chunk.to(self._device)).cpu().numpy())
        if not out:
            return np.zeros((0, self.n_actions_), dtype=np.float32)
        return np.concatenate(out)

    def predict(self, observations):
        """Return the greedy actions, ``argmax_a Q(s, a)``.

        Parameters
        ----------
        observations : array-like of shape (n_observations, n_features) or \
                (n_observations,)
            Observations of the environment's space.

        Returns
        -------
        actions : ndarray of shape (n_observations,)
            The greedy action of each observation.
        """
        return self.predict_q(observations).argmax(axis=1)

    def evaluate(self, env, n_episodes=100, *, confidence=0.95, random_state=None):
        """Run greedy episodes: their returns, mean and confidence interval.

        Parameters
        ----------
        env : gymnasium.Env or str
            The environment (or its id).

        n_episodes : int, default=100
            Episodes to run.

        confidence : float, default=0.95
            Level of the Student-t interval of the mean return.

        random_state : int or None, default=None
            Seed of the environment's first reset.

        Returns
        -------
        result : EvaluationResult
            ``mean``, ``std``, ``ci_low``, ``ci_high``, ``returns``, ``lengths``.
        """
        check_is_fitted(self, "q_network_")
        env = make_env(env)
        if self._check_env(env) != self.n_actions_:
            raise ValueError(
                f"The environment has {env.action_space.n} actions; the agent was "
                f"trained with {self.n_actions_}."
            )
        return run_greedy_episodes(
            lambda obs: self._greedy(
                self.q_network_, self._encoder.one(obs), self._device
            ),
            env,
            n_episodes,
            confidence=confidence,
            random_state=random_state,
        )

    def score(self, env, n_episodes=10, random_state=None):
        """Return the mean undiscounted return of greedy episodes.

        Parameters
        ----------
        env : gymnasium.Env or str
            The environment (or its id).

        n_episodes : int, default=10
            Episodes to average over.

        random_state : int or None, default=None
            Seed of the environment's first reset.

        Returns
        -------
        score : float
            The mean return (see :meth:`evaluate` for its confidence interval).
        """
        return self.evaluate(env, n_episodes, random_state=random_state).mean

    def __getstate__(self):
        # the network travels on the CPU, so that a GPU-trained agent
        # unpickles on a machine without one
        state = self.__dict__.copy()
        if "q_network_" in state and self._device.type != "cpu":
            state["q_network_"] = copy.deepcopy(self.q_network_).cpu()
            state["_training"] = None  # a warm start then starts afresh
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if "q_network_" in state:
            try:
                self._device = check_device(self._device)
            except ValueError:  # trained on a device this machine lacks
                self._device = torch.device("cpu")
            self.q_network_ = self.q_network_.to(self._device)
