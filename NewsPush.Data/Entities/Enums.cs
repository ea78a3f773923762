namespace NewsPush.Data.Entities;

public enum ArticleStatus { Draft = 0, InReview = 1, Scheduled = 2, Published = 3, Archived = 4 }

public enum CommentStatus { Visible = 0, Pending = 1, Hidden = 2, Deleted = 3 }

public enum FollowKind { Column = 0, Tag = 1 }

public enum InteractionType { Impression = 0, Click = 1, Dwell = 2, Rating = 3, Follow = 4, Bookmark = 5, DigestOpen = 6, DigestClick = 7, NotInterested = 8 }

public enum DigestFrequency { Off = 0, Daily = 1, Weekly = 2 }

public enum DevicePlatform { Ios = 0, Android = 1, Web = 2, Other = 3 }

public enum WebhookKind { Slack = 0, DingTalk = 1, Generic = 2, Feishu = 3, WeCom = 4 }

/// <summary>Newsroom robots are managed by editors and admins; reader webhooks belong to one reader.</summary>
public enum WebhookOwner { Newsroom = 0, Reader = 1 }

public enum InboxMessageKind { Personal = 0, Digest = 1, Breaking = 2, System = 3 }

public enum DigestStatus { Composed = 0, Delivered = 1, Merged = 2, Skipped = 3 }

public enum DeliveryChannel { Inbox = 0, Email = 1, WebPush = 2, Webhook = 3, Fcm = 4, Apns = 5 }

/// <summary>Expired: transient failures lasted past the delivery's deadline (<see cref="Delivery.DeliverBy"/>).</summary>
public enum DeliveryStatus { Queued = 0, Sending = 1, Sent = 2, Failed = 3, Suppressed = 4, Expired = 5 }

/// <summary>
/// What a delivery carries; <see cref="Delivery.ContentId"/> is the id of that content's row, except for
/// <see cref="Test"/> (the instant it was asked for, in Unix milliseconds) and <see cref="WebPushExpiring"/> (the day,
/// counted from 1970-01-01, the browser was last seen: one warning per idle period) and <see cref="ColumnDigest"/> (a robot's daily
/// digest of one column: robot id × 100,000 + the robot's local day, counted from 1970-01-01).
/// </summary>
public enum DeliveryContentKind { Digest = 0, Breaking = 1, Broadcast = 2, SystemAlert = 3, Test = 4, WebPushExpiring = 5, ColumnDigest = 6 }

/// <summary>Why a channel is paused: the service is down (it resumes by itself after a probe), or it refuses us (an admin must fix it).</summary>
public enum ChannelPauseKind { Outage = 0, Configuration = 1 }

public enum PushSegment { Everyone = 0, ColumnFollowers = 1, TagFollowers = 2, PredictedInterested = 3 }

public enum CampaignStatus { Draft = 0, PendingApproval = 1, Approved = 2, Scheduled = 3, Sending = 4, Sent = 5, Cancelled = 6 }
