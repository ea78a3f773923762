namespace NewsPush.Data.Entities;

public class Column
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public string Slug { get; set; } = "";
    public string Description { get; set; } = "";
    public int SortOrder { get; set; }
    /// <summary>Hidden columns vanish from the menu and feeds; their articles stay.</summary>
    public bool IsHidden { get; set; }
    public DateTime CreatedAt { get; set; }
    public List<Article> Articles { get; set; } = [];
}
